#!/usr/bin/env node
// `npm start` on a fresh clone: installs the npm packages if they are missing or stale, the pinned Temporal
// servers if missing, then runs the product (cli/start.ts). Plain Node, so it works before anything is installed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  process.stderr.write('[ocop-cycle] installing npm packages …\n');
  // `npm install` rather than `npm ci`: it honours the lock file but tolerates optional platform packages the
  // registry may lack (see .ci/run).
  execFileSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}
execFileSync(process.execPath, [join(root, 'scripts', 'install-temporal.mjs')], { cwd: root, stdio: 'inherit' });

// Signals go to the child; this launcher exits with it.
const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'cli', 'start.ts')], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
