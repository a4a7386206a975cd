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
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { deliveryOptionsFromConfig, offsetsFromConfig } from '../activities/notifications';
import { ensureFirstAdmin } from '../api/first-admin';
import { ensureSigningKey } from '../api/machine-tokens';
import { buildApp } from '../api/app';
import { ConfigError, loadConfig, PROCESS_ROLES, type ProcessRole } from '../config';
import { createLogger } from '../config/logger';
import {
  assertProductionReady,
  auditSigningKey,
  devTokensEnabled,
  jwtSecret,
  ProductionConfigError,
} from '../config/secrets';
import { connect, createDatabase, EMBEDDED_APP_LOGIN, migrate } from '../db';
import { startEmbeddedPostgres, stopEmbeddedPostgresAt } from '../db/embedded';
import { startDevServer, stopOrphanedDevServer } from '../temporal/dev-server';
import { ensureSearchAttributes, SearchAttributesError } from '../temporal/search-attributes';
import { ensureSchedules } from '../temporal/schedules';
import { createCaseWorker, tuningFromConfig } from '../worker';
import { NotificationSender } from '../notifications/sender';
import { connectRedis, roleRefusal, serveProcessHealth } from './roles';
import { installTemporalRuntime } from '../worker/runtime';
import { isAlive } from '../config/processes';
import { OidcSignIn } from '../api/oidc';
import { loadDocumentKeys } from '../documents/keys';

const started = performance.now();
/** What to stop, in the reverse order; each with the seconds it may take before the stop goes on without it. */
const stops: { name: string; stop: () => Promise<unknown>; seconds?: number }[] = [];
/** The data folder's owner file, once this process owns it. */
let ownerFile: string | null = null;

function progress(message: string) {
  process.stderr.write(`[ocop-cycle] ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main() {
  roleFromArguments(process.argv.slice(2));
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
  const roles = config.OCOP_ROLE;
  const has = (role: ProcessRole) => roles.includes(role);
  const whole = roles.length === PROCESS_ROLES.length;
  const refusal = roleRefusal(config);
  if (refusal) {
    process.stderr.write(`[ocop-cycle] ${refusal}\nSee "Process roles" in README.md.\n`);
    process.exit(2);
  }
  const dataDir = resolve(config.OCOP_DATA_DIR);
  /** SIGTERM's drain: the seconds each role has to finish what it holds (README, "Stopping"). */
  const grace = config.SHUTDOWN_GRACE_SECONDS;
  const log = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(log, 'WARN', { metricsAddress: has('worker') ? config.WORKER_METRICS_ADDRESS : undefined });
  if (whole) {
    // Databases, keys and logs live here: readable by this user only. Run as root, the embedded PostgreSQL runs as
    // the postgres user, who must be able to pass through (not list) the folder to its own data, itself 0700.
    const embeddedAsRoot = process.getuid?.() === 0 && !config.DATABASE_URL;
    mkdirSync(dataDir, { recursive: true, mode: embeddedAsRoot ? 0o711 : 0o700 });
    if (embeddedAsRoot) chmodSync(dataDir, 0o711);
    await takeDataFolder(dataDir);
  }
  progress(`roles ${roles.join(', ')}`);

  // PostgreSQL and Temporal start side by side: each takes a second or more on a cold machine. The owner migrates;
  // the application logs in as its own role (DATABASE_URL), which owns nothing.
  const database = (async (): Promise<{ owner: string; app: string }> => {
    if (config.DATABASE_URL)
      return { owner: config.DATABASE_OWNER_URL ?? config.DATABASE_URL, app: config.DATABASE_URL };
    // Running here now means a start that was killed left it: its owner is gone (takeDataFolder), so restart it.
    if (await stopEmbeddedPostgresAt(join(dataDir, 'postgres', 'data'), 'fast')) {
      progress('stopped the PostgreSQL an earlier start left running');
    }
    progress(`starting embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}`);
    const pg = await startEmbeddedPostgres({ dir: join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT });
    stops.push({ name: 'PostgreSQL', stop: () => pg.stop(), seconds: 70 });
    if (pg.pid) watch('PostgreSQL', pg.pid);
    return { owner: pg.url, app: embeddedAppUrl(pg.url, join(dataDir, 'postgres')) };
  })();
  const needsTemporal = has('api') || has('worker') || has('migrate');
  const temporalAddress = (async () => {
    if (config.TEMPORAL_ADDRESS || !needsTemporal) return config.TEMPORAL_ADDRESS ?? '';
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
  const [urls, address] = await Promise.all([database, temporalAddress]);

  const connection = needsTemporal ? await Connection.connect({ address }) : null;
  if (connection) stops.push({ name: 'client connection', stop: () => connection.close() });
  if (has('migrate')) {
    await createDatabase(urls.owner);
    const applied = await migrate(urls.owner, { appUrl: urls.app === urls.owner ? undefined : urls.app });
    progress(
      applied.length
        ? `applied migrations ${applied.map((f) => basename(f)).join(', ')}`
        : 'database schema is up to date',
    );
    // An existing Temporal server may not know the search attributes the case workflow upserts: add them
    // (idempotent), or stop here saying how, rather than fail every case's first command.
    try {
      const added = await ensureSearchAttributes(connection!.operatorService, config.TEMPORAL_NAMESPACE);
      if (added.length > 0) progress(`registered Temporal search attributes ${added.join(', ')}`);
    } catch (err) {
      if (!(err instanceof SearchAttributesError)) throw err;
      process.stderr.write(`[ocop-cycle] ${err.message}\n`);
      await shutdown(2);
      return;
    }
    if (roles.length === 1) {
      progress('migrated');
      await shutdown(0);
      return;
    }
  }
  const sql = connect(urls.app, { max: config.DATABASE_POOL_SIZE });
  stops.push({ name: 'database pool', stop: () => sql.end({ timeout: 5 }) });

  let worker: Awaited<ReturnType<typeof createCaseWorker>> | null = null;
  if (has('worker')) {
    const workerConnection = await NativeConnection.connect({ address });
    worker = await createCaseWorker({
      connection: workerConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      sql,
      log: log.child({ component: 'worker' }),
      notifications: { delivery: deliveryOptionsFromConfig(config, log), offsets: offsetsFromConfig(config) },
      checkpoints: { signingKey: auditSigningKey(config), intervalMinutes: config.AUDIT_CHECKPOINT_MINUTES },
      sender: has('sender'),
      shutdownGraceMs: grace * 1000,
      ...tuningFromConfig(config),
    });
    const running = worker.run();
    const polling = worker;
    stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
    stops.push({
      name: 'worker',
      stop: async () => {
        polling.shutdown();
        await running;
      },
      seconds: grace + 5,
    });
    progress('worker polling');
    if (config.SCHEDULES === 'on') {
      // The yearly programme and the daily open data: created when missing, updated when their definition changed.
      const outcomes = await ensureSchedules(
        new Client({ connection: connection!, namespace: config.TEMPORAL_NAMESPACE }),
        {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          provinces: config.PROGRAMME_PROVINCES,
          openDataHour: config.OPEN_DATA_HOUR,
        },
      );
      const changed = outcomes.filter((o) => o.outcome !== 'unchanged');
      progress(
        changed.length === 0
          ? `${outcomes.length} Temporal Schedules up to date`
          : `Temporal Schedules: ${changed.map((o) => `${o.scheduleId} ${o.outcome}`).join(', ')}`,
      );
    }
    // A worker that dies on its own takes the process down rather than leave an API accepting commands no one runs.
    running.catch((err: unknown) => {
      log.fatal({ err }, 'worker stopped');
      void shutdown(1);
    });
  } else if (has('sender')) {
    const sender = new NotificationSender(
      sql,
      log.child({ component: 'sender' }),
      deliveryOptionsFromConfig(config, log),
      { concurrency: config.NOTIFY_SENDER_CONCURRENCY, pollMs: config.NOTIFY_POLL_SECONDS * 1000 },
    );
    sender.start();
    stops.push({ name: 'notification sender', stop: () => sender.stop(), seconds: grace });
    progress('notification sender running');
  }

  const listening = `http://${config.API_HOST}:${config.API_PORT}`;
  let firstAdmin: { username: string; password: string } | null = null;
  if (has('api')) {
    // A fresh installation's first machine-token signing key (idempotent: concurrent starts make one).
    const signing = await ensureSigningKey(sql);
    if (signing.created) progress(`created the first machine-token signing key ${signing.key.kid}`);
    const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL) : undefined;
    if (redis) stops.push({ name: 'Redis', stop: () => redis.quit() });
    const app = await buildApp({
      sql,
      temporal: new Client({ connection: connection!, namespace: config.TEMPORAL_NAMESPACE }),
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      jwtSecret: devTokensEnabled(config) ? jwtSecret(config) : undefined,
      tokenPolicy: {
        maxLifetimeSeconds: config.AUTH_TOKEN_MAX_HOURS * 3600,
        clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
      },
      machineTokenPolicy: {
        maxLifetimeSeconds: config.MACHINE_TOKEN_MAX_DAYS * 86400,
        clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
      },
      log: log.child({ component: 'api' }),
      bodyLimit: config.API_BODY_LIMIT,
      rateLimit: config.API_RATE_LIMIT_PER_MINUTE,
      loginRateLimit: config.LOGIN_RATE_LIMIT_PER_MINUTE,
      sessionPolicy: {
        idleMinutes: config.SESSION_IDLE_MINUTES,
        maxHours: config.SESSION_MAX_HOURS,
        secureCookie: config.SESSION_COOKIE_SECURE === 'on',
      },
      redis,
      redisKeyPrefix: config.REDIS_KEY_PREFIX,
      trustProxy: config.API_TRUST_PROXY,
      commandTimeoutMs: config.API_COMMAND_TIMEOUT_SECONDS * 1000,
      auditSigningKey: auditSigningKey(config),
      documentKeys: loadDocumentKeys(config),
      publicUrl:
        config.PUBLIC_URL ??
        `http://${config.API_HOST === '0.0.0.0' ? '127.0.0.1' : config.API_HOST}:${config.API_PORT}`,
      ...(config.OIDC_PROVIDERS.length > 0 && config.PUBLIC_URL
        ? { oidc: new OidcSignIn({ providers: config.OIDC_PROVIDERS, publicUrl: config.PUBLIC_URL }) }
        : {}),
    });
    await app.listen({ host: config.API_HOST, port: config.API_PORT });
    firstAdmin = await ensureFirstAdmin(sql);
    // Fastify's close stops listening, answers 503 to a new request on a kept-alive connection, and resolves once
    // the requests in flight have been answered.
    stops.push({ name: 'HTTP API', stop: () => app.close(), seconds: grace });
  } else {
    // A worker or sender answers its container's health check on the same port: whether it runs and PostgreSQL
    // answers.
    const health = await serveProcessHealth({
      host: config.API_HOST,
      port: config.API_PORT,
      roles,
      sql,
      running: () => !stopping && (worker === null || worker.getState() === 'RUNNING'),
    });
    stops.push({ name: 'health endpoint', stop: () => health.close() });
  }

  progress('ready');
  process.stdout.write(
    [
      '',
      ...(has('api')
        ? [
            `  Web app        ${listening}/app/`,
            `  API            ${listening}`,
            `  OpenAPI docs   ${listening}/docs`,
            `  Health         ${listening}/health`,
            `  Metrics        ${listening}/metrics`,
          ]
        : [`  Health         ${listening}/health`]),
      ...(has('worker') && config.WORKER_METRICS_ADDRESS
        ? [`  Worker metrics http://${config.WORKER_METRICS_ADDRESS}/metrics`]
        : []),
      ...(needsTemporal
        ? [
            config.TEMPORAL_ADDRESS
              ? `  Temporal       ${address}`
              : `  Temporal UI    http://127.0.0.1:${config.TEMPORAL_UI_PORT}`,
          ]
        : []),
      `  PostgreSQL     ${config.DATABASE_URL ? 'DATABASE_URL' : `embedded, data in ${join(dataDir, 'postgres')}`}`,
      // The URL holds the application's password: it is in a file only this user reads, never on the screen.
      ...(config.DATABASE_URL
        ? []
        : [
            `  For the CLI    export DATABASE_URL="$(cat ${join(dataDir, 'database-url')})"   (then npm run ocop -- --help)`,
          ]),
      ...(firstAdmin
        ? [
            '',
            `  Quản trị viên đầu tiên / first admin (chỉ hiện một lần / shown once):`,
            `    tên đăng nhập / username  ${firstAdmin.username}`,
            `    mật khẩu / password       ${firstAdmin.password}`,
            `    Đăng nhập / sign in: POST ${listening}/auth/login {"username","password"}; đổi mật khẩu và bật xác thực`,
            `    hai lớp (POST /auth/totp/enrol) trước khi quản trị / change the password and enrol TOTP before acting.`,
          ]
        : []),
      ...(has('api') && devTokensEnabled(config)
        ? [`  Try it         npm run dev-token -- --role commune_officer --jurisdiction <commune code>`]
        : []),
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/** `--role api,worker` (or `--role=api`) on the command line overrides OCOP_ROLE. */
function roleFromArguments(args: string[]) {
  const at = args.findIndex((a) => a === '--role' || a.startsWith('--role='));
  if (at < 0) return;
  const value = args[at]!.includes('=') ? args[at]!.slice('--role='.length) : args[at + 1];
  if (value === undefined) {
    process.stderr.write('[ocop-cycle] --role needs a value: all, or a list of api, worker, sender, migrate\n');
    process.exit(2);
  }
  process.env.OCOP_ROLE = value;
}

/**
 * The embedded PostgreSQL's application login (ocop_app_login), its password generated once beside the data; the
 * URL is also written to OCOP_DATA_DIR/database-url (0600) for the CLI, so the banner never shows a password.
 */
function embeddedAppUrl(ownerUrl: string, dir: string): string {
  const passwordFile = join(dir, 'app-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const url = new URL(ownerUrl);
  url.username = EMBEDDED_APP_LOGIN;
  url.password = readFileSync(passwordFile, 'utf8').trim();
  writeFileSync(join(dir, '..', 'database-url'), `${url.toString()}\n`, { mode: 0o600 });
  return url.toString();
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
