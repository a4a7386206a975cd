/**
 * Schemathesis, pinned, in a virtual environment of its own under .tools/ (like the Temporal servers, from PyPI
 * through pip, the ordinary client of that registry). Idempotent: an installed copy that answers with the pinned
 * version is used as it is.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const SCHEMATHESIS_VERSION = '4.32.5';

const run = promisify(execFile);
const root = resolve(__dirname, '..', '..');

/** The path of the `schemathesis` command, installed first if it is not. */
export async function installSchemathesis(): Promise<string> {
  const dir = join(process.env.OCOP_TOOLS_DIR ?? join(root, '.tools'), `schemathesis-${SCHEMATHESIS_VERSION}`);
  const bin = join(dir, process.platform === 'win32' ? 'Scripts' : 'bin');
  const command = join(bin, process.platform === 'win32' ? 'schemathesis.exe' : 'schemathesis');
  if (existsSync(command)) {
    try {
      const { stdout } = await run(command, ['--version']);
      if (stdout.includes(SCHEMATHESIS_VERSION)) return command;
    } catch {
      // a broken copy: installed again below
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const python = process.env.PYTHON ?? 'python3';
  await run(python, ['-m', 'venv', dir]);
  await run(join(bin, 'python'), ['-m', 'pip', 'install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return command;
}
