import { z } from 'zod';
import type { Sql } from '../../db';
import { councilSeatSchema, type Round } from '../../domain';
import { provincesServedBy } from '../../domain/places';
import { canSee, ifVisible, type Fragment, type Viewer } from '../scope';
import { roundOfRow, type StoredRoundRow } from './row';

/* The rounds as the API shows them, and as the case decider is told of them. */

export const roundSchema = z.object({
  roundId: z.string(),
  provinceCode: z.string(),
  year: z.number().int(),
  round: z.number().int(),
  /** Dossiers forwarded strictly before this date join the round. */
  cutOff: z.string(),
  /** The round is decided before this date. */
  decideBy: z.string(),
  status: z.enum(['open', 'closed']),
  council: z.array(councilSeatSchema),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
  version: z.number().int(),
});
export type RoundView = z.infer<typeof roundSchema>;

/** Who sees a round: its province's officials, council and auditors; the Ministry, admins and national auditors. */
export const seesRound = (user: Viewer, round: Pick<Round, 'provinceCode'>): boolean =>
  canSee(user, { provinceCode: round.provinceCode, communeCode: null, subjectId: null });

/** `seesRound` as a condition on the `rounds` table. */
function roundScope(sql: Sql, user: Viewer): Fragment {
  if (user.role === 'admin' || user.role === 'ministry' || (user.role === 'auditor' && user.jurisdiction === 'VN')) {
    return sql`TRUE`;
  }
  if (user.role === 'provincial_office' || user.role === 'council_member' || user.role === 'auditor') {
    return sql`province_code IN ${sql(provincesServedBy(user.jurisdiction))}`;
  }
  return sql`FALSE`;
}

export async function getRound(sql: Sql, roundId: string): Promise<RoundView | null> {
  const [row] = await sql<StoredRoundRow[]>`SELECT * FROM rounds WHERE round_id = ${roundId}`;
  return row ? roundOfRow(row) : null;
}

/** A round the user may see; null both when there is none and when it is another province's. */
export async function findVisibleRound(sql: Sql, user: Viewer, roundId: string): Promise<RoundView | null> {
  return ifVisible(await getRound(sql, roundId), (round) => seesRound(user, round));
}

/** The rounds the user may see, newest first. */
export async function listRounds(
  sql: Sql,
  user: Viewer,
  filter: { provinceCode?: string | undefined; year?: number | undefined },
): Promise<RoundView[]> {
  const rows = await sql<StoredRoundRow[]>`
    SELECT * FROM rounds
    WHERE ${roundScope(sql, user)}
      AND (${filter.provinceCode ?? null}::text IS NULL OR province_code = ${filter.provinceCode ?? null})
      AND (${filter.year ?? null}::int IS NULL OR year = ${filter.year ?? null})
    ORDER BY year DESC, round DESC, province_code`;
  return rows.map(roundOfRow);
}

/**
 * What the case decider is told of a province's rounds when a dossier is assigned or its council convened: the
 * rounds of the last two years and the coming ones (a dossier joins the round its forwarding date falls in, or a
 * later one), at most a handful.
 */
export async function roundsOfProvince(sql: Sql, provinceCode: string, today: string): Promise<Round[]> {
  const rows = await sql<StoredRoundRow[]>`
    SELECT * FROM rounds WHERE province_code = ${provinceCode} AND year >= ${Number(today.slice(0, 4)) - 2}
    ORDER BY year, round`;
  return rows.map((r) => {
    const { version: _version, ...round } = roundOfRow(r);
    return round;
  });
}
