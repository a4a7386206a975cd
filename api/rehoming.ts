import type { Sql } from '../db';
import { ALLOWED_STAGES, type Actor, type Places } from '../domain';
import { needsRehoming, provincesServedBy, rehomingFor } from '../domain/places';
import { idempotentId, type CommandGateway } from './commands';
import { casesWithPlaces } from '../read-models/cases/queries';
import { HttpProblem } from './problems';

/*
 * The 2025 re-homing (sắp xếp đơn vị hành chính, Resolution 202/2025/QH15 and the Standing Committee's resolutions
 * of 16/06/2025 on the communes of each province): every case still at the places of a unit abolished on 01/07/2025
 * is moved to its successor by the official mapping (`domain/places`), one `UpdatePlaces` per case. An old commune
 * split between several new ones is listed for a decision (`update-places` with one of the candidates), never
 * guessed. Shared by `POST /places/rehoming` and `ocop places rehome`.
 */

export const REHOMING_REASON = 'Sắp xếp đơn vị hành chính từ 01/07/2025 (Nghị quyết 202/2025/QH15)';

export interface PlaceCode {
  provinceCode: string;
  communeCode: string;
}

export interface RehomingReport {
  dryRun: boolean;
  /** Cases at old places found (in the caller's jurisdiction, and the province asked for). */
  found: number;
  /** Cases moved (or, in a dry run, to be moved) to their one successor. */
  moves: { productId: string; from: Places; to: PlaceCode; status: 'planned' | 'moved' | 'failed'; error?: string }[];
  /** Old communes split between several new ones: a person decides, with `update-places`. */
  toDecide: { productId: string; from: Places; candidates: PlaceCode[] }[];
  /** Places that match no old unit (recorded before places were checked): `update-places` with an override. */
  unknown: { productId: string; from: Places }[];
}

export interface RehomingProgress {
  done: number;
  total: number;
  productId: string;
  from: Places;
  to: PlaceCode;
  status: 'planned' | 'moved' | 'failed';
}

export interface RehomingOptions {
  actor: Actor;
  /** Only report what would be done (the default for callers). */
  dryRun: boolean;
  /** Only the cases of this old province. */
  province?: string | undefined;
  reason?: string | undefined;
  onProgress?: (p: RehomingProgress) => void;
}

const MOVABLE: readonly string[] = ALLOWED_STAGES.UpdatePlaces;

/** Who may re-home: an administrator (every case) or a provincial office (the cases of the provinces it serves). */
function scopeOf(actor: Actor): string[] | null {
  if (actor.role === 'admin') return null;
  if (actor.role === 'provincial_office') return provincesServedBy(actor.office);
  throw new HttpProblem(403, 'Forbidden', {
    code: 'forbidden',
    detail:
      'Chỉ quản trị viên hoặc cơ quan OCOP cấp tỉnh được sắp xếp lại địa bàn. — Only an administrator or a provincial ' +
      'OCOP office re-homes cases.',
  });
}

export async function rehomeCases(sql: Sql, gateway: CommandGateway, o: RehomingOptions): Promise<RehomingReport> {
  const scope = scopeOf(o.actor);
  // Within the caller's scope, and of the one province asked for, if any.
  const provinces = o.province ? (scope === null || scope.includes(o.province) ? [o.province] : []) : scope;
  const rows = await casesWithPlaces(sql, { stages: MOVABLE, provinces });
  const report: RehomingReport = { dryRun: o.dryRun, found: 0, moves: [], toDecide: [], unknown: [] };
  const planned: { productId: string; from: Places; to: PlaceCode }[] = [];
  for (const { productId, places } of rows) {
    if (!needsRehoming(places)) continue;
    report.found += 1;
    const r = rehomingFor(places);
    if (r.kind === 'move') planned.push({ productId, from: places, to: r.to });
    else if (r.kind === 'split') report.toDecide.push({ productId, from: places, candidates: [...r.candidates] });
    else report.unknown.push({ productId, from: places });
  }
  let done = 0;
  for (const p of planned) {
    let status: 'planned' | 'moved' | 'failed' = 'planned';
    let error: string | undefined;
    if (!o.dryRun) {
      try {
        await gateway.send({
          productId: p.productId,
          // One id per case and move: a second run, or a retry after a crash, never moves a case twice.
          commandId: idempotentId('C', 'rehoming-2025', `${p.productId}\u0000${JSON.stringify([p.from, p.to])}`),
          actor: o.actor,
          command: {
            type: 'UpdatePlaces',
            data: {
              provinceCode: p.to.provinceCode,
              communeCode: p.to.communeCode,
              reason: o.reason ?? REHOMING_REASON,
            },
          },
        });
        status = 'moved';
      } catch (err) {
        status = 'failed';
        error = err instanceof Error ? err.message : String(err);
      }
    }
    report.moves.push({ ...p, status, ...(error ? { error } : {}) });
    done += 1;
    o.onProgress?.({ done, total: planned.length, ...p, status });
  }
  return report;
}
