/**
 * `npm start`: the whole product on one machine. Starts (or connects to) PostgreSQL and Temporal, applies the
 * migrations, runs the worker and the HTTP API, and prints where everything is. Ctrl-C stops it all cleanly;
 * the next start finds every case where it was (PostgreSQL data and the Temporal SQLite file under .data/).
 *
 * It supervises what it starts. One start at a time owns a data folder (`ocop.pid` in it names the owner); a start
 * that finds a live owner refuses, so it can never stop the servers another start is using. A start that finds the
 * owner dead (killed with -9) stops the servers that run left behind and starts them afresh. A child that dies on its
 * own (the worker, the Temporal dev server, the embedded PostgreSQL) stops the rest in order, and every stop step has
 * a time limit, so Ctrl-C or SIGTERM always ends every child.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { deliveryOptionsFromConfig, offsetsFromConfig } from '../activities/notifications';
import { buildApp } from '../api/app';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import {
  assertProductionReady,
  auditSigningKey,
  devTokensEnabled,
  jwtSecret,
  ProductionConfigError,
} from '../config/secrets';
import { connect, createDatabase, migrate } from '../db';
import { startEmbeddedPostgres, stopEmbeddedPostgresAt } from '../db/embedded';
import { startDevServer, stopOrphanedDevServer } from '../temporal/dev-server';
import { ensureSearchAttributes, SearchAttributesError } from '../temporal/search-attributes';
import { createCaseWorker } from '../worker';
import { installTemporalRuntime } from '../worker/runtime';
import { isAlive } from '../config/processes';

const started = performance.now();
/** What to stop, in the reverse order; each with the seconds it may take before the stop goes on without it. */
const stops: { name: string; stop: () => Promise<unknown>; seconds?: number }[] = [];
/** The data folder's owner file, once this process owns it. */
let ownerFile: string | null = null;

function progress(message: string) {
  process.stderr.write(`[ocop-cycle] ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main() {
  let config;
  try {
    config = loadConfig();
    // Production mode refuses dev tokens, generated keys and default secrets before anything starts.
    assertProductionReady(config);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ProductionConfigError) {
      process.stderr.write(`${err.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }
  const dataDir = resolve(config.OCOP_DATA_DIR);
  // Databases, keys and logs live here: readable by this user only. Run as root, the embedded PostgreSQL runs as the
  // postgres user, who must be able to pass through (not list) the folder to its own data, itself 0700.
  const embeddedAsRoot = process.getuid?.() === 0 && !config.DATABASE_URL;
  mkdirSync(dataDir, { recursive: true, mode: embeddedAsRoot ? 0o711 : 0o700 });
  if (embeddedAsRoot) chmodSync(dataDir, 0o711);
  const log = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(log);
  await takeDataFolder(dataDir);

  // PostgreSQL and Temporal start side by side: each takes a second or more on a cold machine.
  const database = (async () => {
    if (config.DATABASE_URL) {
      await createDatabase(config.DATABASE_URL);
      return config.DATABASE_URL;
    }
    // Running here now means a start that was killed left it: its owner is gone (takeDataFolder), so restart it.
    if (await stopEmbeddedPostgresAt(join(dataDir, 'postgres', 'data'), 'fast')) {
      progress('stopped the PostgreSQL an earlier start left running');
    }
    progress(`starting embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}`);
    const pg = await startEmbeddedPostgres({ dir: join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT });
    stops.push({ name: 'PostgreSQL', stop: () => pg.stop(), seconds: 70 });
    if (pg.pid) watch('PostgreSQL', pg.pid);
    await createDatabase(pg.url);
    return pg.url;
  })();
  const temporalAddress = (async () => {
    if (config.TEMPORAL_ADDRESS) return config.TEMPORAL_ADDRESS;
    const dbFile = join(dataDir, 'temporal', 'temporal.db');
    const pidFile = join(dataDir, 'temporal', 'server.pid');
    const orphan = await stopOrphanedDevServer(pidFile, dbFile);
    if (orphan) progress(`stopped the Temporal dev server an earlier start left running (pid ${orphan})`);
    progress(`starting Temporal dev server on 127.0.0.1:${config.TEMPORAL_DEV_PORT}`);
    const server = await startDevServer({
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile,
      namespace: config.TEMPORAL_NAMESPACE,
      logFile: join(dataDir, 'temporal', 'server.log'),
      pidFile,
    });
    stops.push({ name: 'Temporal dev server', stop: () => server.stop(), seconds: 15 });
    void server.exited.then((how) => {
      if (stopping) return;
      log.fatal(`Temporal dev server ${how}`);
      void shutdown(1);
    });
    return server.address;
  })();
  const [databaseUrl, address] = await Promise.all([database, temporalAddress]);

  const applied = await migrate(databaseUrl);
  progress(
    applied.length
      ? `applied migrations ${applied.map((f) => basename(f)).join(', ')}`
      : 'database schema is up to date',
  );
  const sql = connect(databaseUrl, { max: config.DATABASE_POOL_SIZE });
  stops.push({ name: 'database pool', stop: () => sql.end({ timeout: 5 }) });

  // An existing Temporal server may not know the search attributes the case workflow upserts: add them (idempotent),
  // or stop here saying how, rather than fail every case's first command.
  const connection = await Connection.connect({ address });
  stops.push({ name: 'client connection', stop: () => connection.close() });
  try {
    const added = await ensureSearchAttributes(connection.operatorService, config.TEMPORAL_NAMESPACE);
    if (added.length > 0) progress(`registered Temporal search attributes ${added.join(', ')}`);
  } catch (err) {
    if (!(err instanceof SearchAttributesError)) throw err;
    process.stderr.write(`[ocop-cycle] ${err.message}\n`);
    await shutdown(2);
    return;
  }

  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createCaseWorker({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    sql,
    log: log.child({ component: 'worker' }),
    notifications: { delivery: deliveryOptionsFromConfig(config, log), offsets: offsetsFromConfig(config) },
    checkpoints: { signingKey: auditSigningKey(config), intervalMinutes: config.AUDIT_CHECKPOINT_MINUTES },
  });
  const workerRun = worker.run();
  stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
  stops.push({
    name: 'worker',
    stop: async () => {
      worker.shutdown();
      await workerRun;
    },
    seconds: 30,
  });
  progress('worker polling');

  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = await buildApp({
    sql,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    jwtSecret: devTokensEnabled(config) ? jwtSecret(config) : undefined,
    tokenPolicy: {
      maxLifetimeSeconds: config.AUTH_TOKEN_MAX_HOURS * 3600,
      clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    },
    log: log.child({ component: 'api' }),
    bodyLimit: config.API_BODY_LIMIT,
    rateLimit: config.API_RATE_LIMIT_PER_MINUTE,
    commandTimeoutMs: config.API_COMMAND_TIMEOUT_SECONDS * 1000,
    auditSigningKey: auditSigningKey(config),
  });
  await app.listen({ host: config.API_HOST, port: config.API_PORT });
  stops.push({ name: 'HTTP API', stop: () => app.close() });

  const api = `http://${config.API_HOST}:${config.API_PORT}`;
  progress('ready');
  process.stdout.write(
    [
      '',
      `  API            ${api}`,
      `  OpenAPI docs   ${api}/docs`,
      `  Health         ${api}/health`,
      config.TEMPORAL_ADDRESS
        ? `  Temporal       ${address}`
        : `  Temporal UI    http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
      `  PostgreSQL     ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${join(dataDir, 'postgres')}`}`,
      ...(config.DATABASE_URL
        ? []
        : [`  For the CLI    export DATABASE_URL='${databaseUrl}'   (then npm run ocop -- --help)`]),
      `  Try it         npm run dev-token -- --role commune_officer --jurisdiction <commune code>`,
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  // A worker that dies on its own takes the product down rather than leaving an API that accepts commands no one runs.
  workerRun.catch((err: unknown) => {
    log.fatal({ err }, 'worker stopped');
    void shutdown(1);
  });
}

/**
 * Makes this process the data folder's one owner. A live owner (another `npm start` on the same folder) is refused
 * with exit code 2 before anything is touched; a dead one's leftovers are for the caller to stop.
 */
async function takeDataFolder(dataDir: string) {
  const file = join(dataDir, 'ocop.pid');
  let owner = NaN;
  try {
    owner = Number(readFileSync(file, 'utf8').trim());
  } catch {
    // no owner yet
  }
  if (Number.isInteger(owner) && owner > 1 && owner !== process.pid && isAlive(owner)) {
    process.stderr.write(
      `[ocop-cycle] already running from ${dataDir} (process ${owner}). Stop it first (Ctrl-C in its terminal, or ` +
        `kill ${owner}), or give this one another OCOP_DATA_DIR.\n`,
    );
    process.exit(2);
  }
  writeFileSync(file, `${process.pid}\n`);
  ownerFile = file;
}

/** Stops everything when a server this process started dies on its own. */
function watch(name: string, pid: number) {
  const timer = setInterval(() => {
    if (stopping || isAlive(pid)) return;
    clearInterval(timer);
    process.stderr.write(`[ocop-cycle] ${name} (process ${pid}) has stopped on its own\n`);
    void shutdown(1);
  }, 2_000);
  timer.unref();
}

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  progress('stopping');
  for (const { name, stop, seconds = 10 } of stops.reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), seconds * 1000);
    });
    try {
      const outcome = await Promise.race([stop().then(() => 'stopped' as const), limit]);
      if (outcome === 'timeout') {
        process.stderr.write(`[ocop-cycle] stopping ${name} took more than ${seconds} s; going on\n`);
      }
    } catch (err) {
      process.stderr.write(`[ocop-cycle] stopping ${name} failed: ${String(err)}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (ownerFile) rmSync(ownerFile, { force: true });
  progress('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGHUP', () => void shutdown(0));

// Started by scripts/start.mjs (`npm start`): if that launcher is killed outright, stop everything rather than run on.
const launcher = Number(process.env.OCOP_LAUNCHER_PID);
if (Number.isInteger(launcher) && launcher > 1) {
  const timer = setInterval(() => {
    if (stopping || isAlive(launcher)) return;
    clearInterval(timer);
    process.stderr.write(`[ocop-cycle] the launcher (process ${launcher}) is gone; stopping\n`);
    void shutdown(1);
  }, 1_000);
  timer.unref();
}

main().catch(async (err: unknown) => {
  process.stderr.write(
    `[ocop-cycle] start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  await shutdown(1);
});
