import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connect, type Sql } from '../../db';
import { GENESIS_HASH } from '../../db/canonical';
import {
  appendToStream,
  readStream,
  verifyChain,
  WrongExpectedVersionError,
  type AppendInput,
} from '../../db/event-store';

let sql: Sql;
let owner: Sql;

beforeAll(() => {
  sql = connect(inject('databaseUrl'), { max: 3 });
  owner = connect(inject('databaseUrl'), { max: 1, asAppRole: false });
});
afterAll(async () => {
  await sql.end();
  await owner.end();
});

const actor = { userId: 'u-1', role: 'commune_officer' as const, office: '00004' };
let counter = 0;
const stream = () => `es-test-${process.pid}-${++counter}`;

function input(streamId: string, commandId: string, expectedVersion: number, types: string[]): AppendInput {
  return {
    streamId,
    commandId,
    expectedVersion,
    actor,
    occurredAt: '2026-06-01T03:00:00.000Z',
    ruleSetId: 'QD26_2026',
    events: types.map((type, i) => ({ type, data: { n: i, note: 'Hợp tác xã Tân Cương' } })),
  };
}

describe('event store', () => {
  it('appends with gapless positions and a chain that verifies', async () => {
    const id = stream();
    await appendToStream(sql, input(id, 'c1', 0, ['IdeaRegistered']));
    const second = await appendToStream(sql, input(id, 'c2', 1, ['IdeaAccepted', 'PlanSubmitted']));
    expect(second.version).toBe(3);
    const events = await readStream(sql, id);
    expect(events.map((e) => e.streamPosition)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(verifyChain(events)).toBeNull();
  });

  it('writes nothing twice when the same command is appended again', async () => {
    const id = stream();
    const first = await appendToStream(sql, input(id, 'c1', 0, ['IdeaRegistered', 'IdeaAccepted']));
    const retry = await appendToStream(sql, input(id, 'c1', 0, ['IdeaRegistered', 'IdeaAccepted']));
    expect(retry.duplicate).toBe(true);
    expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(await readStream(sql, id)).toHaveLength(2);
  });

  it('rejects an append decided against a stale version', async () => {
    const id = stream();
    await appendToStream(sql, input(id, 'c1', 0, ['IdeaRegistered']));
    await expect(appendToStream(sql, input(id, 'c2', 0, ['IdeaAccepted']))).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(await readStream(sql, id)).toHaveLength(1);
  });

  it('lets the application role neither update nor delete nor truncate events', async () => {
    const id = stream();
    await appendToStream(sql, input(id, 'c1', 0, ['IdeaRegistered']));
    await expect(sql`UPDATE events SET type = 'X' WHERE stream_id = ${id}`).rejects.toThrow(/permission denied/);
    await expect(sql`DELETE FROM events WHERE stream_id = ${id}`).rejects.toThrow(/permission denied/);
    await expect(sql`TRUNCATE events`).rejects.toThrow(/permission denied/);
    // Even the owner is stopped by the trigger.
    await expect(owner`UPDATE events SET type = 'X' WHERE stream_id = ${id}`).rejects.toThrow(/append-only/);
    await expect(owner`DELETE FROM events WHERE stream_id = ${id}`).rejects.toThrow(/append-only/);
  });

  it('names the exact event a superuser altered behind the triggers', async () => {
    const id = stream();
    await appendToStream(sql, input(id, 'c1', 0, ['IdeaRegistered', 'IdeaAccepted', 'PlanSubmitted']));
    await owner.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE events SET data = jsonb_set(data, '{note}', '"altered"')
               WHERE stream_id = ${id} AND stream_position = 2`;
    });
    const broken = verifyChain(await readStream(sql, id));
    expect(broken).toMatchObject({ streamId: id, streamPosition: 2, reason: 'hash_mismatch' });
  });
});
