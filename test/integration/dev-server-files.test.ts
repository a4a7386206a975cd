/**
 * The Temporal dev server that `npm start` runs keeps every workflow's history (names and personal data included)
 * in a SQLite file under OCOP_DATA_DIR: it and its folder are readable by their owner only (issue 15, finding 11).
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort, startDevServer } from '../../temporal/dev-server';

const dir = mkdtempSync(join(tmpdir(), 'ocop-dev-server-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

function expectPrivate(folder: string) {
  expect(modeOf(folder).toString(8)).toBe('700');
  const files = readdirSync(folder);
  expect(files).toContain('temporal.db');
  for (const name of files) expect(`${name} ${modeOf(join(folder, name)).toString(8)}`).toBe(`${name} 600`);
}

it('creates its database, journal and log files 0600 in a 0700 folder, and makes older readable ones private', async () => {
  const folder = join(dir, 'data', 'temporal');
  const options = { dbFile: join(folder, 'temporal.db'), logFile: join(folder, 'server.log') };
  const first = await startDevServer({ port: await freePort(), ...options });
  try {
    expectPrivate(folder);
  } finally {
    await first.stop();
  }
  // As an earlier version left them: readable by everyone.
  chmodSync(folder, 0o755);
  for (const name of readdirSync(folder)) chmodSync(join(folder, name), 0o644);
  const second = await startDevServer({ port: await freePort(), ...options });
  try {
    expectPrivate(folder);
  } finally {
    await second.stop();
  }
});
