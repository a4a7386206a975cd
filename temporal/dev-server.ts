import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporalCliPath } from './binaries';
import { devServerSearchAttributeArgs } from './search-attributes';
import { isAlive } from '../config/processes';

/** A port of 127.0.0.1 free at the time of asking, for a server of our own (tests and benchmarks). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface DevServerOptions {
  /** gRPC port. */
  port: number;
  /** Web UI port; no UI when omitted. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFile?: string;
  /** @default 'default' */
  namespace?: string;
  /** The server's own log goes here. @default ignored */
  logFile?: string;
  /**
   * How long to wait for the server to answer. The SDK's built-in start waits 5 s, too short for a cold start
   * on a loaded two-core machine. @default 90_000
   */
  readyTimeoutMs?: number;
  /**
   * The server's process id is written here while it runs, so that a later start (or test run) can find and stop a
   * server orphaned by a crash of the process that started it (`stopOrphanedDevServer`). @default none
   */
  pidFile?: string;
  /** Start with our search attributes registered. False: a bare server, as an existing cluster may be. @default true */
  searchAttributes?: boolean;
}

export interface RunningDevServer {
  address: string;
  /** The server's process id, when this process started it. */
  pid?: number;
  /** Resolves when the server process ends, stopped or not (never, for a server started through the SDK). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** Thrown when the Temporal dev server does not answer within its start deadline. */
export class DevServerStartError extends Error {
  constructor(
    message: string,
    readonly address: string,
  ) {
    super(message);
    this.name = 'DevServerStartError';
  }
}

/** Starts `temporal server start-dev` with our search attributes and waits until it serves its namespace. */
export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const cli = temporalCliPath();
  const address = `127.0.0.1:${options.port}`;
  const namespace = options.namespace ?? 'default';
  if (!cli) return startWithSdkDownload(options, address);
  if (options.dbFile) keepPrivate(options.dbFile);
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...(options.uiPort ? ['--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1'] : ['--headless']),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.searchAttributes === false ? [] : devServerSearchAttributeArgs()),
  ];
  const child = spawnPrivate(cli, args);
  if (options.logFile) {
    mkdirSync(dirname(options.logFile), { recursive: true, mode: 0o700 });
    const log = createWriteStream(options.logFile, { flags: 'a', mode: 0o600 });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  } else {
    child.stdout?.resume();
    child.stderr?.resume();
  }
  let exited: string | null = null;
  const exitedPromise = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      if (options.pidFile) rmSync(options.pidFile, { force: true });
      resolve(exited);
    }),
  );
  if (options.pidFile && child.pid) writeFileSync(options.pidFile, `${child.pid}\n`, { mode: 0o600 });
  try {
    await waitForServer(address, namespace, options.readyTimeoutMs ?? 90_000, () => exited);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { address, pid: child.pid, exited: exitedPromise, stop: () => stopChild(child) };
}

/**
 * Stops a dev server left running by a process that was killed before it could stop it: the process named in
 * `pidFile`, if it is still alive and is a Temporal server whose command line names `marker` (its SQLite file or
 * data folder), so that a recycled process id is never killed. Returns the stopped process id, if any.
 */
export async function stopOrphanedDevServer(pidFile: string, marker: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid)) return null;
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return null; // no /proc (not Linux): leave it rather than guess
  }
  if (!commandLine.includes('server') || !commandLine.includes(marker)) return null;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return pid;
}

/**
 * The server's SQLite file holds every workflow's history, names and personal data included: its folder is made
 * 0700, and files an earlier version left readable to others are made 0600. New files are private because the
 * server runs under umask 077 (see `spawnPrivate`).
 */
export function keepPrivate(dbFile: string): void {
  const dir = dirname(dbFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isFile()) chmodSync(path, 0o600);
  }
}

/**
 * Spawns the server under umask 077, so the database, journal and WAL files it creates are 0600. (The server needs
 * to create its database file itself: it sets up its schema only in a file it created.) The umask is the process's,
 * so it is restored at once; spawning forks synchronously, so only the child has it.
 */
function spawnPrivate(command: string, args: string[]): ChildProcess {
  const previous = process.umask(0o077);
  try {
    return spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    process.umask(previous);
  }
}

async function waitForServer(address: string, namespace: string, timeoutMs: number, exited: () => string | null) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const why = exited();
    if (why) throw new DevServerStartError(`Temporal dev server ${why} before it was ready`, address);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new DevServerStartError(
    `Temporal dev server at ${address} was not ready after ${timeoutMs} ms: ${String(lastError)}`,
    address,
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** On a machine without the pinned wheel (e.g. macOS with internet): the SDK downloads and runs the CLI. */
async function startWithSdkDownload(options: DevServerOptions, address: string): Promise<RunningDevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const { searchAttributeKeys } = await import('./search-attributes');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: options.port,
      namespace: options.namespace ?? 'default',
      ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      searchAttributes: options.searchAttributes === false ? [] : [...searchAttributeKeys],
    },
  });
  return { address, exited: new Promise<string>(() => undefined), stop: () => env.teardown() };
}
