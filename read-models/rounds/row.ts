import type { CouncilSeat, Round, RoundState } from '../../domain';

/** A row of `rounds` (migration 005) as written. */
export interface RoundRow {
  round_id: string;
  province_code: string;
  year: number;
  round: 1 | 2;
  cut_off: string;
  decide_by: string;
  status: 'open' | 'closed';
  council: CouncilSeat[];
  opened_at: string;
  closed_at: string | null;
  version: number;
}

/** As read: PostgreSQL answers instants as dates. */
export type StoredRoundRow = Omit<RoundRow, 'opened_at' | 'closed_at'> & { opened_at: Date; closed_at: Date | null };

/** A round's stream folded, with the version its rows hold. */
export interface RoundFold {
  streamId: string;
  version: number;
  round: RoundState;
}

export function roundRow(f: RoundFold & { round: Round }): RoundRow {
  const r = f.round;
  return {
    round_id: r.roundId,
    province_code: r.provinceCode,
    year: r.year,
    round: r.round,
    cut_off: r.cutOff,
    decide_by: r.decideBy,
    status: r.status,
    council: r.council,
    opened_at: r.openedAt,
    closed_at: r.closedAt,
    version: f.version,
  };
}

export function roundOfRow(r: StoredRoundRow): Round & { version: number } {
  return {
    roundId: r.round_id,
    provinceCode: r.province_code,
    year: r.year,
    round: r.round,
    cutOff: r.cut_off,
    decideBy: r.decide_by,
    status: r.status,
    council: r.council,
    openedAt: r.opened_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
    version: r.version,
  };
}
