import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createLogger } from '../../config/logger';
import { connect, createDatabase, dropDatabase, migrate, type Sql } from '../../db';
import { createCaseWorker } from '../../worker';
import { installTemporalRuntime } from '../../worker/runtime';
import type { ActivityDeps } from '../../activities';
import { quietNotifications } from './quiet-notifications';

/** A worker on its own task queue against the run's shared Temporal server and database. */
export interface Harness {
  /** The database's URL, as the run's superuser. */
  databaseUrl: string;
  sql: Sql;
  /** Superuser connection, for what the application itself may not do (tampering tests). */
  ownerSql: Sql;
  client: Client;
  taskQueue: string;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startHarness(
  name: string,
  options: {
    notifications?: ActivityDeps['notifications'];
    /** A database of the test's own (created and migrated by it). @default the run's shared database */
    databaseUrl?: string;
  } = {},
): Promise<Harness> {
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'));
  const taskQueue = `${name}-${randomBytes(4).toString('hex')}`;
  const databaseUrl = options.databaseUrl ?? inject('databaseUrl');
  const address = inject('temporalAddress');
  const sql = connect(databaseUrl, { max: 5 });
  const ownerSql = connect(databaseUrl, { max: 2, asAppRole: false });
  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createCaseWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue,
    sql,
    log: createLogger('silent'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    notifications: options.notifications ?? quietNotifications,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  return {
    databaseUrl,
    sql,
    ownerSql,
    client,
    taskQueue,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await workerConnection.close();
      await connection.close();
      await sql.end();
      await ownerSql.end();
    },
  };
}

/**
 * A harness on a database of the test's own, created and migrated for it and dropped when it stops: what the test
 * counts and finds is only what it recorded, whatever other tests write to the run's shared database.
 */
export async function startHarnessOnOwnDatabase(name: string): Promise<Harness> {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `${url.pathname}_${name.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  await createDatabase(databaseUrl);
  try {
    await migrate(databaseUrl);
    const h = await startHarness(name, { databaseUrl });
    return {
      ...h,
      async stop() {
        try {
          await h.stop();
        } finally {
          await dropDatabase(databaseUrl);
        }
      },
    };
  } catch (err) {
    await dropDatabase(databaseUrl);
    throw err;
  }
}
