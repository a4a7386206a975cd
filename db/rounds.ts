import type { Sql, TransactionSql } from './index';
import { appendToStream, WrongExpectedVersionError, type Actor } from './event-store';

/**
 * Provincial evaluation rounds (đợt đánh giá): opened by the provincial OCOP office with their council, closed when
 * the round's dossiers are decided. Each round is a stream of the event store (`round:<province>:<year>:<round>`),
 * so who opened and closed it, and when, is as tamper-evident as a case; the `rounds` table is its read model.
 */
export interface CouncilSeat {
  memberId: string;
  role: 'chair' | 'member' | 'secretary';
}

export interface Round {
  roundId: string;
  provinceCode: string;
  year: number;
  round: 1 | 2;
  cutOff: string;
  decideBy: string;
  status: 'open' | 'closed';
  council: CouncilSeat[];
  openedAt: string;
  closedAt: string | null;
  version: number;
}

/** Thrown when a round cannot change as asked (already open, already closed, not found). */
export class RoundStateError extends Error {
  constructor(
    readonly roundId: string,
    readonly status: 'open' | 'closed' | 'missing',
    message: string,
  ) {
    super(message);
    this.name = 'RoundStateError';
  }
}

export const roundIdOf = (provinceCode: string, year: number, round: number): string =>
  `round:${provinceCode}:${year}:${round}`;

interface RoundRow {
  round_id: string;
  province_code: string;
  year: number;
  round: 1 | 2;
  cut_off: string;
  decide_by: string;
  status: 'open' | 'closed';
  council: CouncilSeat[];
  opened_at: Date;
  closed_at: Date | null;
  version: number;
}

const toRound = (r: RoundRow): Round => ({
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
});

export async function getRound(sql: Sql, roundId: string): Promise<Round | null> {
  const [row] = await sql<RoundRow[]>`SELECT * FROM rounds WHERE round_id = ${roundId}`;
  return row ? toRound(row) : null;
}

export async function listRounds(sql: Sql, filter: { provinceCode?: string; year?: number }): Promise<Round[]> {
  const rows = await sql<RoundRow[]>`
    SELECT * FROM rounds
    WHERE (${filter.provinceCode ?? null}::text IS NULL OR province_code = ${filter.provinceCode ?? null})
      AND (${filter.year ?? null}::int IS NULL OR year = ${filter.year ?? null})
    ORDER BY year DESC, round DESC, province_code`;
  return rows.map(toRound);
}

/** Opens a round; idempotent by command id, refused if the round was ever opened by another command. */
export async function openRound(
  sql: Sql,
  input: {
    commandId: string;
    actor: Actor;
    now: string;
    provinceCode: string;
    year: number;
    round: 1 | 2;
    cutOff: string;
    decideBy: string;
    council: CouncilSeat[];
    ruleSetId: string;
  },
): Promise<Round> {
  const roundId = roundIdOf(input.provinceCode, input.year, input.round);
  const data = {
    provinceCode: input.provinceCode,
    year: input.year,
    round: input.round,
    cutOff: input.cutOff,
    decideBy: input.decideBy,
    council: input.council,
  };
  try {
    await appendToStream(
      sql,
      {
        streamId: roundId,
        commandId: input.commandId,
        expectedVersion: 0,
        actor: input.actor,
        occurredAt: input.now,
        ruleSetId: input.ruleSetId,
        events: [{ type: 'RoundOpened', data }],
      },
      async (tx) => {
        await tx`
          INSERT INTO rounds (round_id, province_code, year, round, cut_off, decide_by, status, council, opened_at, version)
          VALUES (${roundId}, ${data.provinceCode}, ${data.year}, ${data.round}, ${data.cutOff}, ${data.decideBy},
                  'open', ${tx.json(data.council as never)}, ${input.now}, 1)`;
      },
    );
  } catch (err) {
    if (err instanceof WrongExpectedVersionError) {
      throw new RoundStateError(roundId, 'open', `round ${input.round} of ${input.year} was already opened`);
    }
    throw err;
  }
  return (await getRound(sql, roundId))!;
}

/** Closes an open round; idempotent by command id. */
export async function closeRound(
  sql: Sql,
  input: { commandId: string; actor: Actor; now: string; roundId: string; ruleSetId: string },
): Promise<Round> {
  const current = await getRound(sql, input.roundId);
  if (!current) throw new RoundStateError(input.roundId, 'missing', `no round ${input.roundId}`);
  const result = await appendToStream(
    sql,
    {
      streamId: input.roundId,
      commandId: input.commandId,
      expectedVersion: current.version,
      actor: input.actor,
      occurredAt: input.now,
      ruleSetId: input.ruleSetId,
      events: current.status === 'closed' ? [] : [{ type: 'RoundClosed', data: { roundId: input.roundId } }],
    },
    async (tx, appended) => {
      await tx`UPDATE rounds SET status = 'closed', closed_at = ${input.now}, version = version + ${appended.length}
               WHERE round_id = ${input.roundId}`;
    },
  );
  if (!result.duplicate && result.events.length === 0) {
    throw new RoundStateError(input.roundId, 'closed', `round ${input.roundId} is already closed`);
  }
  return (await getRound(sql, input.roundId))!;
}

/** The version the `rounds` table holds for a round's stream (null: none), and for every round: what the audit compares. */
export async function roundVersion(sql: Sql | TransactionSql, roundId: string): Promise<number | null> {
  const [row] = await sql<{ version: number }[]>`SELECT version FROM rounds WHERE round_id = ${roundId}`;
  return row?.version ?? null;
}

export async function roundVersions(sql: Sql | TransactionSql): Promise<(readonly [string, number])[]> {
  const rows = await sql<{ id: string; version: number }[]>`SELECT round_id AS id, version FROM rounds`;
  return rows.map((r) => [r.id, r.version] as const);
}
