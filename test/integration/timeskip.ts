import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createLogger } from '../../config/logger';
import { connect, type Sql } from '../../db';
import { timeSkippingServerPath } from '../../temporal/binaries';
import { registerSearchAttributes } from '../../temporal/search-attributes';
import { createCaseWorker } from '../../worker';
import { installTemporalRuntime } from '../../worker/runtime';
import type { ActivityDeps } from '../../activities';
import { quietNotifications } from './quiet-notifications';

/**
 * The Java time-skipping test server for multi-year timers, with a case worker on its own task queue writing to
 * the run's real PostgreSQL database. While a test awaits a workflow result, the server skips over timers.
 */
export interface TimeSkippingHarness {
  env: TestWorkflowEnvironment;
  sql: Sql;
  taskQueue: string;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startTimeSkipping(
  name: string,
  options: { notifications?: ActivityDeps['notifications'] } = {},
): Promise<TimeSkippingHarness> {
  installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'));
  const path = timeSkippingServerPath();
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : {},
  );
  await registerSearchAttributes(env.connection.operatorService, env.namespace ?? 'default');
  const taskQueue = `${name}-${randomBytes(4).toString('hex')}`;
  const sql = connect(inject('databaseUrl'), { max: 5 });
  const worker = await createCaseWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    sql,
    log: createLogger('silent'),
    workflowBundle: { codePath: inject('workflowBundlePath') },
    notifications: options.notifications ?? quietNotifications,
  });
  const running = worker.run();
  return {
    env,
    sql,
    taskQueue,
    worker,
    async stop() {
      worker.shutdown();
      await running;
      await sql.end();
      await env.teardown();
    },
  };
}
