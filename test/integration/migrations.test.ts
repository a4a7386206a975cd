/**
 * Migrations on a PostgreSQL cluster that has never seen the project, created for this test: several databases of
 * the one cluster migrated at the same moment, as replicas starting together (or the test setup) do. The role the
 * application works as is cluster-wide while the migration lock is per database, so each would try to create it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import { APP_ROLE, createDatabase, migrate } from '../../db';
import { createRunFolder, startThrowawayCluster, type RunFolder, type ThrowawayCluster } from '../support/throwaway';

let folder: RunFolder;
let cluster: ThrowawayCluster;

beforeAll(async () => {
  folder = await createRunFolder('migrations');
  cluster = await startThrowawayCluster(folder.dir);
});
afterAll(async () => {
  await cluster?.stop();
  folder?.remove();
});

function databaseUrl(name: string): string {
  const url = new URL(cluster.adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

it('migrates four fresh databases of one fresh cluster at once, every one completely', async () => {
  const admin = postgres(cluster.adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const [before] = await admin`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ${APP_ROLE}`;
    expect(before?.n).toBe(0);

    const urls = ['replica_a', 'replica_b', 'replica_c', 'replica_d'].map(databaseUrl);
    // Created concurrently too: two replicas may both find the database missing.
    await Promise.all([...urls, ...urls].map((url) => createDatabase(url)));
    const applied = await Promise.all(urls.map((url) => migrate(url)));

    const files = applied[0]!;
    expect(files.length).toBeGreaterThan(0);
    for (const list of applied) expect(list).toEqual(files);
    const [after] = await admin`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ${APP_ROLE}`;
    expect(after?.n).toBe(1);

    // Each database works as the application role expects: it may insert into the event store, never delete.
    for (const url of urls) {
      const db = postgres(url, { max: 1, onnotice: () => undefined, connection: { role: APP_ROLE } });
      try {
        const [privileges] = await db`
          SELECT has_table_privilege('events', 'INSERT') AS insert, has_table_privilege('events', 'DELETE') AS delete`;
        expect(privileges).toEqual({ insert: true, delete: false });
      } finally {
        await db.end();
      }
    }
    // A second migration of the same databases, again all at once, finds nothing to do.
    expect(await Promise.all(urls.map((url) => migrate(url)))).toEqual(urls.map(() => []));
  } finally {
    await admin.end();
  }
});
