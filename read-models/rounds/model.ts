import { evolveRound, noRound, type RoundEvent } from '../../domain';
import type { Sql, TransactionSql } from '../../db';
import type { ProjectedEvent, ReadModel } from '../read-model';
import { roundOfRow, roundRow, type RoundFold, type StoredRoundRow } from './row';

/*
 * The read model of the provincial rounds: one `rounds` row per round stream (`round:<province>:<year>:<n>`), the
 * domain's own fold of its RoundOpened and RoundClosed events.
 */

const hasRound = (f: RoundFold): f is RoundFold & { round: Exclude<RoundFold['round'], { status: 'none' }> } =>
  f.round.status !== 'none';

async function upsertRounds(tx: TransactionSql, folds: readonly RoundFold[]): Promise<void> {
  const rows = folds.filter(hasRound).map((f) => {
    const row = roundRow(f);
    return { ...row, council: tx.json(row.council as never) };
  });
  if (rows.length === 0) return;
  await tx`
    INSERT INTO rounds ${tx(rows)}
    ON CONFLICT (round_id) DO UPDATE SET status = excluded.status, closed_at = excluded.closed_at,
      version = excluded.version, council = excluded.council`;
}

export const roundsModel: ReadModel<RoundFold> = {
  name: 'rounds',
  tables: ['rounds'],
  owns: (streamId) => streamId.startsWith('round:'),
  empty: (streamId) => ({ streamId, version: 0, round: noRound(streamId) }),
  apply: (f, event: ProjectedEvent) => ({
    streamId: f.streamId,
    version: event.streamPosition,
    round: evolveRound(f.round, { type: event.type, data: event.data } as RoundEvent, event.occurredAt),
  }),
  hasRows: hasRound,
  async load(tx, streamId) {
    const [row] = await tx<StoredRoundRow[]>`SELECT * FROM rounds WHERE round_id = ${streamId}`;
    if (!row) return null;
    const { version, ...round } = roundOfRow(row);
    return { streamId, version, round };
  },
  write: (tx, _before, after) => upsertRounds(tx, [after]),
  writeAll: upsertRounds,
  async version(sql: Sql | TransactionSql, streamId) {
    const [row] = await sql<{ version: number }[]>`SELECT version FROM rounds WHERE round_id = ${streamId}`;
    return row?.version ?? null;
  },
  async versions(sql) {
    const rows = await sql<{ id: string; version: number }[]>`SELECT round_id AS id, version FROM rounds`;
    return rows.map((r) => [r.id, r.version] as const);
  },
};
