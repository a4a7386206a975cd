/**
 * Once per test run: a PostgreSQL cluster created from nothing for this run (unless TEST_DATABASE_ADMIN_URL names a
 * server to use instead), a Temporal dev server (in memory, our search attributes registered), a fresh database,
 * migrated, and the workflow bundle. Files isolate themselves by task queue and workflow ids. A second database is
 * for tests that drive notification delivery by hand: every worker runs a notification sender that claims any due
 * outbox row of its database, so such tests need one no worker uses. The two databases migrate at the same time, as
 * two replicas of the product starting together would.
 *
 * Everything is torn down at the end, and also when the setup itself fails half-way: what was started is stopped and
 * the run folder (with the cluster's data) removed. A run killed before its teardown is swept by the next one
 * (test/support/throwaway.ts).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, migrate } from '../../db';
import { freePort, startDevServer } from '../../temporal/dev-server';
import { bundleWorkflows } from '../../worker';
import { createRunFolder, startThrowawayCluster, TEMPORAL_PID_FILE } from '../support/throwaway';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    /** No worker runs on it: outbox rows stay where the test puts them. */
    senderlessDatabaseUrl: string;
    workflowBundlePath: string;
    /** The PostgreSQL server's `postgres` database, for tests that create databases of their own. */
    adminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const cleanups: { name: string; run: () => unknown }[] = [];
  const teardown = async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (err) {
        process.stderr.write(`[test teardown] ${name}: ${String(err)}\n`);
      }
    }
  };
  try {
    const folder = await createRunFolder('test');
    cleanups.push({ name: 'run folder', run: () => folder.remove() });
    let adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
    if (!adminUrl) {
      const cluster = await startThrowawayCluster(folder.dir);
      cleanups.push({ name: 'PostgreSQL cluster', run: () => cluster.stop() });
      adminUrl = cluster.adminUrl;
    }
    const databaseUrl = new URL(adminUrl);
    databaseUrl.pathname = `/ocop_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const senderlessUrl = new URL(databaseUrl);
    senderlessUrl.pathname = `${databaseUrl.pathname}_nosender`;
    for (const url of [databaseUrl, senderlessUrl]) {
      cleanups.push({ name: `database ${url.pathname}`, run: () => dropDatabase(url.toString()) });
    }

    const serverStart = freePort().then((port) =>
      startDevServer({
        port,
        logFile: join(folder.dir, 'temporal.log'),
        pidFile: join(folder.dir, TEMPORAL_PID_FILE),
      }),
    );
    // Registered before awaiting the rest, so a failure elsewhere still stops a server that did start.
    cleanups.push({ name: 'Temporal dev server', run: async () => (await serverStart.catch(() => null))?.stop() });
    const [server, , , bundle] = await Promise.all([
      serverStart,
      createDatabase(databaseUrl.toString()).then(() => migrate(databaseUrl.toString())),
      createDatabase(senderlessUrl.toString()).then(() => migrate(senderlessUrl.toString())),
      bundleWorkflows(),
    ]);
    const workflowBundlePath = join(folder.dir, 'workflows.js');
    writeFileSync(workflowBundlePath, bundle.code);

    project.provide('temporalAddress', server.address);
    project.provide('databaseUrl', databaseUrl.toString());
    project.provide('senderlessDatabaseUrl', senderlessUrl.toString());
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('adminUrl', adminUrl);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
