/**
 * Once per test run: a Temporal dev server (in memory, our search attributes registered), a fresh PostgreSQL
 * database on the machine's server, migrated, and the workflow bundle. Files isolate themselves by task queue
 * and workflow ids. A second database is for tests that drive notification delivery by hand: every worker runs a
 * notification sender that claims any due outbox row of its database, so such tests need one no worker uses.
 * Everything is torn down at the end, the databases dropped.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDatabase, dropDatabase, migrate } from '../../db';
import { freePort, startDevServer } from '../../temporal/dev-server';
import { bundleWorkflows } from '../../worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    /** No worker runs on it: outbox rows stay where the test puts them. */
    senderlessDatabaseUrl: string;
    workflowBundlePath: string;
  }
}

/** The PostgreSQL server tests create their database on; the machine's own by default. */
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export default async function setup(project: TestProject) {
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/ocop_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const senderlessUrl = new URL(databaseUrl);
  senderlessUrl.pathname = `${databaseUrl.pathname}_nosender`;
  const dir = mkdtempSync(join(tmpdir(), 'ocop-test-'));

  const [server, , bundle] = await Promise.all([
    freePort().then((port) => startDevServer({ port, logFile: join(dir, 'temporal.log') })),
    createDatabase(databaseUrl.toString()).then(() => migrate(databaseUrl.toString())),
    bundleWorkflows(),
    createDatabase(senderlessUrl.toString()).then(() => migrate(senderlessUrl.toString())),
  ]);
  const workflowBundlePath = join(dir, 'workflows.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', databaseUrl.toString());
  project.provide('senderlessDatabaseUrl', senderlessUrl.toString());
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await server.stop();
    await dropDatabase(databaseUrl.toString());
    await dropDatabase(senderlessUrl.toString());
    rmSync(dir, { recursive: true, force: true });
  };
}
