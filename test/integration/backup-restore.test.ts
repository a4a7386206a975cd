/**
 * Backup and restore (README, "Runbook"): cases recorded, a signed checkpoint taken, then `ocop db backup` (pg_dump)
 * and `ocop db restore` (pg_restore) into a fresh database of the same cluster, as an operator runs them. On the
 * restored database every chain verifies against the checkpoint (`ocop audit verify`), the read models are row for row
 * those of the original, and a rebuild from the restored events gives them again. A tampered restore is caught.
 */
import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeCheckpoint, verifyAll } from '../../audit';
import { runCase } from '../../bench/driver';
import { cycleSteps } from '../../bench/path';
import { connect, dropDatabase, type Sql } from '../../db';
import { pgTool, serverMajor } from '../../db/backup';
import { rebuildReadModels } from '../../read-models/registry';
import { startHarnessOnOwnDatabase, type Harness } from './harness';
import { productRoot } from '../support/product';
import { readModelRows } from '../support/read-models';

const run = promisify(execFile);
const folder = mkdtempSync(join(tmpdir(), 'ocop-backup-'));
const dump = join(folder, 'ocop.dump');
const auditKey = generateKeyPairSync('ed25519');
const publicKeyFile = join(folder, 'audit-public.pem');
let h: Harness;
let sourceUrl: string;
let restoredUrl: string;
let restored: Sql | null = null;

/** `npm run ocop -- <args>` against a database, as its owner. */
function ocop(args: string[], databaseUrl: string) {
  return run(process.execPath, ['--import', 'tsx', 'cli/ocop.ts', ...args], {
    cwd: productRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl, DATABASE_OWNER_URL: '', LOG_LEVEL: 'warn' },
  });
}

beforeAll(async () => {
  h = await startHarnessOnOwnDatabase('backup');
  sourceUrl = h.databaseUrl;
  const name = new URL(sourceUrl).pathname.slice(1);
  restoredUrl = Object.assign(new URL(sourceUrl), { pathname: `/${name}_restored` }).toString();
  writeFileSync(publicKeyFile, auditKey.publicKey.export({ type: 'spki', format: 'pem' }));
  // The pinned PostgreSQL client tools, when the machine has none as new as the server (Debian 12 has 15).
  if (!(await pgTool('pg_dump', await serverMajor(sourceUrl)).catch(() => null))) {
    execFileSync(process.execPath, [join(productRoot, 'scripts', 'install-pg-client.mjs')], { stdio: 'ignore' });
  }
});

afterAll(async () => {
  await restored?.end();
  if (restoredUrl) await dropDatabase(restoredUrl);
  await h?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('restores every event, chain, checkpoint and read model', async () => {
    for (const n of [0, 1, 2]) {
      await runCase(h.client, h.taskQueue, `BACKUP-${n}`, cycleSteps(`BACKUP-${n}`).slice(0, 6 + 4 * n));
    }
    await takeCheckpoint(h.ownerSql, auditKey.privateKey);

    const backup = await ocop(['db', 'backup', '--file', dump], sourceUrl);
    expect(backup.stdout).toMatch(/^backed up to .*ocop\.dump \(\d+ bytes, .*pg_dump\)/);
    expect(backup.stdout).not.toContain(new URL(sourceUrl).password || '\u0000');
    const restore = await ocop(['db', 'restore', '--file', dump, '--into', restoredUrl], sourceUrl);
    expect(restore.stdout).toContain(`into ${new URL(restoredUrl).pathname.slice(1)}`);

    restored = connect(restoredUrl, { max: 2, asAppRole: false });
    const verify = await ocop(['audit', 'verify', '--public-key', publicKeyFile], restoredUrl);
    expect(verify.stdout).toMatch(/^ok: \d+ streams, 30 events, 0 broken, 0 missing a tail, against checkpoint 1/m);
    expect((await verifyAll(restored, { publicKey: auditKey.publicKey })).problems).toEqual([]);

    const original = await readModelRows(h.ownerSql);
    expect(original.cases).toHaveLength(3);
    expect(await readModelRows(restored)).toEqual(original);
    await rebuildReadModels(restored);
    expect(await readModelRows(restored)).toEqual(original);

    // The application's role works on the restored database as on the original: it reads and appends, no more.
    const app = connect(restoredUrl, { max: 1 });
    try {
      const [row] = await app<{ n: number }[]>`SELECT count(*)::int AS n FROM events`;
      expect(row?.n).toBe(30);
      await expect(app`DELETE FROM events`).rejects.toMatchObject({ code: '42501' });
    } finally {
      await app.end();
    }
  });

  it('a restore whose events were altered does not verify', async () => {
    const tamperedUrl = Object.assign(new URL(restoredUrl), {
      pathname: `${new URL(restoredUrl).pathname}_t${randomBytes(2).toString('hex')}`,
    }).toString();
    try {
      await ocop(['db', 'restore', '--file', dump, '--into', tamperedUrl], sourceUrl);
      const owner = connect(tamperedUrl, { max: 1, asAppRole: false });
      try {
        await owner.begin(async (tx) => {
          await tx`ALTER TABLE events DISABLE TRIGGER USER`;
          await tx`UPDATE events SET data = jsonb_set(data, '{planRef}', '"PA-99"') WHERE type = 'BusinessPlanSubmitted'
                   AND stream_id = 'BACKUP-0'`;
          await tx`ALTER TABLE events ENABLE TRIGGER USER`;
        });
      } finally {
        await owner.end();
      }
      const verify = await ocop(['audit', 'verify', '--public-key', publicKeyFile], tamperedUrl).catch(
        (err: { code: number; stdout: string }) => err,
      );
      expect(verify).toMatchObject({ code: 1 });
      expect((verify as { stdout: string }).stdout).toMatch(/BROKEN BACKUP-0 at position 3/);
    } finally {
      await dropDatabase(tamperedUrl);
    }
  });
});
