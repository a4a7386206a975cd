import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createLogger } from '../../config/logger';
import { connect, type Sql } from '../../db';
import { createCaseWorker } from '../../worker';
import { installTemporalRuntime } from '../../worker/runtime';
import type { ActivityDeps } from '../../activities';
import { quietNotifications } from './quiet-notifications';

/** A worker on its own task queue against the run's shared Temporal server and database. */
export interface Harness {
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
