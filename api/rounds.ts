import type { Sql } from '../db';
import { appendToStream, readStream, WrongExpectedVersionError } from '../db/event-store';
import {
  decideRound,
  DomainError,
  evolveRound,
  localDate,
  noRound,
  ruleSetInForce,
  type RoundCommand,
  type RoundEvent,
  type RoundState,
} from '../domain';
import { projectAppend } from '../read-models/registry';
import { getRound, type RoundView } from '../read-models/rounds/queries';
import { actorOf, type Principal } from './auth';
import { domainProblem, idempotentId } from './commands';
import { HttpProblem } from './problems';

/*
 * The commands on a provincial round, end to end: the round's stream is read and folded, the domain's decider says
 * what happens, and the events are appended with the read models written in the same transaction. No SQL here.
 */

/** Appends lost to a concurrent command on the same round are decided again on the newer stream, this many times. */
const ATTEMPTS = 3;

/** The round as its stream says, and the ids of the commands recorded on it. */
async function roundNow(sql: Sql, roundId: string) {
  const events = await readStream(sql, roundId);
  let state: RoundState = noRound(roundId);
  for (const e of events) state = evolveRound(state, { type: e.type, data: e.data } as RoundEvent, e.occurredAt);
  return { state, version: events.length, commandIds: new Set(events.map((e) => e.commandId)) };
}

/**
 * Decides and records a command on round `roundId` for the user, once per (user, Idempotency-Key): a retry of a
 * recorded command answers with the round as it is. Refusals are problems (409 already open or closed, 403, 422).
 */
export async function executeRoundCommand(
  sql: Sql,
  o: { user: Principal; key: string; roundId: string; command: RoundCommand },
): Promise<RoundView> {
  const actor = actorOf(o.user);
  const commandId = idempotentId('R', o.user.sub, o.key);
  for (let attempt = 1; ; attempt += 1) {
    const now = new Date().toISOString();
    const { state, version, commandIds } = await roundNow(sql, o.roundId);
    let events: RoundEvent[];
    try {
      events = decideRound(o.command, state, { now, actor });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // A retry of this very command after it was recorded: its answer is the round.
      if (commandIds.has(commandId)) break;
      throw domainProblem(err.code, err.message, err.stage, err.issues);
    }
    try {
      await appendToStream(
        sql,
        {
          streamId: o.roundId,
          commandId,
          expectedVersion: version,
          actor,
          occurredAt: now,
          ruleSetId: ruleSetInForce(localDate(now)).id,
          events,
        },
        async (tx, appended) => void (await projectAppend(tx, o.roundId, appended)),
      );
      break;
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= ATTEMPTS) throw err;
    }
  }
  const round = await getRound(sql, o.roundId);
  if (!round)
    throw new HttpProblem(404, 'Not Found', { detail: `Không có đợt ${o.roundId}. / No round ${o.roundId}.` });
  return round;
}
