import { createHash } from 'node:crypto';
import type { Sql, TransactionSql } from '../db';
import { appendToStream, readStream, WrongExpectedVersionError } from '../db/event-store';
import { localDate, ruleSetInForce, type Actor } from '../domain';
import {
  AccountError,
  accountStreamId,
  decideAccount,
  evolveAccount,
  noAccount,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
} from '../domain/accounts';
import { getAccount, type AccountView } from '../read-models/accounts/queries';
import { projectAppend } from '../read-models/registry';
import { HttpProblem } from './problems';

/*
 * The commands on an account, end to end, as for rounds (api/rounds.ts): the account's stream is read and folded,
 * the domain's decider says what happens, and the events are appended with the read model written in the same
 * transaction, and with them, for a password or a second factor, the secret (never an event). No SQL here.
 */

const ATTEMPTS = 3;

/** An account's id from its username: one account per username, and a retried creation names the same stream. */
export function accountIdFor(username: string): string {
  return `A${createHash('sha256').update(`ocop-account\u0000${username.toLowerCase()}`).digest('hex').slice(0, 32)}`;
}

/** A stable id for what a command creates (a grant, a link), from the command's own id. */
export const derivedId = (prefix: string, commandId: string): string =>
  `${prefix}${createHash('sha256').update(commandId).digest('hex').slice(0, 16)}`;

/** The command id of (actor, Idempotency-Key) on an account. */
export const accountCommandId = (actor: Actor, key: string): string =>
  `AC${createHash('sha256').update(`${actor.userId}\u0000${key}`).digest('hex').slice(0, 32)}`;

async function accountNow(sql: Sql, accountId: string) {
  const events = await readStream(sql, accountStreamId(accountId));
  let state: AccountState = noAccount(accountId);
  for (const e of events) state = evolveAccount(state, { type: e.type, data: e.data } as AccountEvent, e.occurredAt);
  return { state, version: events.length, commandIds: new Set(events.map((e) => e.commandId)) };
}

const STATUS = { forbidden: 403, not_found: 404, conflict: 409, invalid: 422 } as const;

/** The problem an AccountError becomes: 403, 404, 409 or 422, naming the field when one is at fault. */
export function accountProblem(err: AccountError): HttpProblem {
  const status = STATUS[err.code];
  const title = { 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Content' }[status];
  return new HttpProblem(status, title, {
    code: err.code === 'not_found' ? 'not_found' : err.code === 'forbidden' ? 'forbidden' : `account_${err.code}`,
    detail: err.message,
    ...(err.field ? { errors: [{ field: `body.${err.field}`, message: err.message }] } : {}),
  });
}

export interface AccountCommandInput {
  actor: Actor;
  accountId: string;
  /** Names the command: a retry with the same id records nothing twice. */
  commandId: string;
  command: AccountCommand;
  /** Written in the append's transaction when events are recorded (a password hash, a TOTP key). */
  alsoWrite?: (tx: TransactionSql) => Promise<void>;
}

/**
 * Decides and records a command on an account, once per command id: a retry of a recorded command answers with the
 * account as it is. Refusals are problems (403, 404, 409, 422).
 */
export async function executeAccountCommand(sql: Sql, o: AccountCommandInput): Promise<AccountView> {
  const streamId = accountStreamId(o.accountId);
  for (let attempt = 1; ; attempt += 1) {
    const now = new Date().toISOString();
    const { state, version, commandIds } = await accountNow(sql, o.accountId);
    if (commandIds.has(o.commandId)) break;
    let events: AccountEvent[];
    try {
      events = decideAccount(o.command, state, { now, actor: o.actor });
    } catch (err) {
      if (err instanceof AccountError) throw accountProblem(err);
      throw err;
    }
    if (events.length === 0) break;
    try {
      await appendToStream(
        sql,
        {
          streamId,
          commandId: o.commandId,
          expectedVersion: version,
          actor: o.actor,
          occurredAt: now,
          ruleSetId: ruleSetInForce(localDate(now)).id,
          events,
        },
        async (tx, appended) => {
          await projectAppend(tx, streamId, appended);
          await o.alsoWrite?.(tx);
        },
      );
      break;
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= ATTEMPTS) throw err;
    }
  }
  const account = await getAccount(sql, o.accountId);
  if (!account) throw accountProblem(new AccountError('not_found', `Không có tài khoản / no account ${o.accountId}`));
  return account;
}
