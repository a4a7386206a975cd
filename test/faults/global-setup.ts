/**
 * Once per fault-test run: a PostgreSQL cluster created from nothing for the run (unless TEST_DATABASE_ADMIN_URL names
 * a server), on which each file creates its database. Stopped and removed at the end, and when the setup fails.
 */
import type { TestProject } from 'vitest/node';
import { createRunFolder, startThrowawayCluster } from '../support/throwaway';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const folder = await createRunFolder('faults');
  let stopCluster: (() => Promise<void>) | null = null;
  const teardown = async () => {
    await stopCluster?.().catch((err: unknown) => process.stderr.write(`[faults teardown] ${String(err)}\n`));
    folder.remove();
  };
  try {
    let adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
    if (!adminUrl) {
      const cluster = await startThrowawayCluster(folder.dir);
      stopCluster = () => cluster.stop();
      adminUrl = cluster.adminUrl;
    }
    project.provide('faultsAdminUrl', adminUrl);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
