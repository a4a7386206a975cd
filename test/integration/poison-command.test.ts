/**
 * A command the records cannot hold, and a command that gets no answer in time (issue 15, findings 1 and 6).
 *
 * - A poison value that slipped past the API (sent here as an Update straight to Temporal, with an actor whose id
 *   holds NUL, as a token claim could before the API checked claims) fails its command at once instead of retrying
 *   for ever, and the case keeps serving later commands.
 * - With the worker stopped, a command answers 503 with Retry-After after the configured time; the same
 *   Idempotency-Key, retried once a worker runs again, gets the one result of that command.
 */
import { randomBytes } from 'node:crypto';
import { ActivityFailure, ApplicationFailure, Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken } from '../../api/auth';
import { CommandGateway } from '../../api/commands';
import { HttpProblem } from '../../api/problems';
import { createRecordActivities } from '../../activities/records';
import { createLogger } from '../../config/logger';
import { connect, type Sql } from '../../db';
import { readStream } from '../../db/event-store';
import { createCaseWorker } from '../../worker';
import { installTemporalRuntime } from '../../worker/runtime';
import { caseWorkflowId, commandUpdate } from '../../workflows/messages';
import { quietNotifications } from './quiet-notifications';

const PROVINCE = '68'; // a province no other test uses
const COMMUNE = '22918';
const SUBJECT = 'HTX-POISON';
const secret = 'poison-secret-poison-secret-poison-0123';
const TIMEOUT_MS = 2_000;

let sql: Sql;
let client: Client;
let connection: Connection;
let taskQueue: string;
let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | null = null;
let app: Awaited<ReturnType<typeof buildApp>>;
let subject: string;
let officer: string;
let keys = 0;

const nextKey = () => `poison-${Date.now()}-${(keys += 1)}`;

async function startWorker() {
  const workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const w = await createCaseWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    sql,
    log: createLogger('silent'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    notifications: quietNotifications,
  });
  worker = { worker: w, running: w.run(), connection: workerConnection };
}

async function stopWorker() {
  if (!worker) return;
  const { worker: w, running, connection: c } = worker;
  worker = null;
  w.shutdown();
  await running;
  await c.close();
}

beforeAll(async () => {
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'));
  taskQueue = `poison-${randomBytes(4).toString('hex')}`;
  sql = connect(inject('databaseUrl'), { max: 5 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: 'default' });
  await startWorker();
  app = await buildApp({
    sql,
    temporal: client,
    taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
  });
  subject = await signToken(secret, { sub: SUBJECT, role: 'subject', jurisdiction: SUBJECT });
  officer = await signToken(secret, { sub: 'poison-officer', role: 'commune_officer', jurisdiction: COMMUNE });
});
afterAll(async () => {
  await app?.close();
  await stopWorker();
  await connection?.close();
  await sql?.end();
});

async function register(): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${subject}`, 'idempotency-key': nextKey() },
    payload: {
      subjectId: SUBJECT,
      subjectName: 'Hợp tác xã Độc Dược',
      productName: 'Rượu cần',
      productSetCode: 'tea',
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ productId: string }>().productId;
}

function acceptIdea(productId: string, key = nextKey(), via = app) {
  return via.inject({
    method: 'POST',
    url: `/products/${productId}/accept-idea`,
    headers: { authorization: `Bearer ${officer}`, 'idempotency-key': key },
    payload: { note: 'Ý tưởng phù hợp' },
  });
}

/** The promise's outcome, or a failure naming `what` once `ms` have passed. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('a command the records cannot hold', () => {
  it('fails fast as a non-retryable failure, and the case goes on serving commands', async () => {
    const productId = await register();
    const poison = {
      commandId: `C-poison-${randomBytes(4).toString('hex')}`,
      actor: { userId: 'officer\u0000x', role: 'commune_officer' as const, office: COMMUNE },
      command: { type: 'AcceptIdea' as const, data: { note: 'ok' } },
    };
    const handle = client.workflow.getHandle(caseWorkflowId(productId));
    const failure = await within(
      20_000,
      'the poison Update',
      handle.executeUpdate(commandUpdate, { args: [poison], updateId: poison.commandId }).then(
        () => null,
        (err: unknown) => err,
      ),
    );
    expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
    // The append runs as a local activity, whose failure arrives unwrapped; a scheduled one's is an ActivityFailure.
    const outer = (failure as WorkflowUpdateFailedError).cause;
    const cause = outer instanceof ActivityFailure ? outer.cause : outer;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('UnrecordableCommand');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);

    // The case's turn was given back: a later command on it is answered, and nothing of the poison was recorded.
    const res = await within(20_000, 'the next command', acceptIdea(productId));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ case: { stage: string } }>().case.stage).toBe('idea_accepted');
    const events = await readStream(sql, productId);
    expect(events.map((e) => e.type)).toEqual(['IdeaRegistered', 'IdeaAccepted']);
    expect(events.map((e) => e.actor.userId)).not.toContain(poison.actor.userId);
  });

  it('answers the API 422 unrecordable, not an endless wait', async () => {
    const productId = await register();
    const gateway = new CommandGateway(client.workflow, taskQueue, 20_000);
    const sent = gateway.send({
      productId,
      commandId: `C-poison-${randomBytes(4).toString('hex')}`,
      actor: { userId: 'officer\u0000y', role: 'commune_officer', office: COMMUNE },
      command: { type: 'AcceptIdea', data: {} },
    });
    const err = await within(
      20_000,
      'the gateway',
      sent.then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(422);
    expect((err as HttpProblem).extra.code).toBe('unrecordable');
  });
});

describe('what only PostgreSQL refuses', () => {
  it('fails the append as non-retryable UnrecordableCommand, not as an error retried for ever', async () => {
    const activities = createRecordActivities({
      sql,
      log: createLogger('silent'),
      enqueueNotices: () => Promise.resolve(0),
      offsets: {} as never,
    });
    const productId = `P-refused-${randomBytes(4).toString('hex')}`;
    // Year 0000 passes the activity's own schema (an ISO instant) but is no date PostgreSQL knows (SQLSTATE 22008).
    const append = activities.recordEvents({
      productId,
      commandId: 'C-refused',
      expectedVersion: 0,
      actor: { userId: 'poison-officer', role: 'commune_officer', office: COMMUNE },
      occurredAt: '0000-01-01T00:00:00Z',
      ruleSetId: 'QD148_2023',
      events: [{ type: 'IdeaAccepted', data: { note: null, acceptedOn: '0000-01-01' } }],
      state: { status: 'none' },
    });
    await expect(append).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(append).rejects.toMatchObject({ type: 'UnrecordableCommand', nonRetryable: true });
    expect(await readStream(sql, productId)).toEqual([]);
  });
});

describe('a command with no answer in time', () => {
  it('answers 503 with Retry-After; the same key, retried, gets the command’s one result', async () => {
    const productId = await register();
    // An API that waits at most TIMEOUT_MS for a command's answer.
    const hurried = await buildApp({
      sql,
      temporal: client,
      taskQueue,
      jwtSecret: secret,
      log: createLogger('silent'),
      commandTimeoutMs: TIMEOUT_MS,
    });
    await stopWorker();
    const key = nextKey();
    const started = Date.now();
    const first = await within(20_000, 'the first request', acceptIdea(productId, key, hurried)).finally(() =>
      hurried.close(),
    );
    expect(first.statusCode, first.body).toBe(503);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3_000);
    expect(first.headers['retry-after']).toMatch(/^\d+$/);
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(first.json()).toMatchObject({ status: 503, code: 'command_timeout' });

    await startWorker();
    const retried = await within(60_000, 'the retry', acceptIdea(productId, key));
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json<{ events: { type: string }[] }>().events.map((e) => e.type)).toEqual(['IdeaAccepted']);
    const again = await acceptIdea(productId, key);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const events = await readStream(sql, productId);
    expect(events.map((e) => e.type)).toEqual(['IdeaRegistered', 'IdeaAccepted']);
  });
});
