/**
 * `npm start`: the whole product on one machine. Starts (or connects to) PostgreSQL and Temporal, applies the
 * migrations, runs the worker and the HTTP API, and prints where everything is. Ctrl-C stops it all cleanly;
 * the next start finds every case where it was (PostgreSQL data and the Temporal SQLite file under .data/).
 */
import { basename, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { deliveryOptionsFromConfig, offsetsFromConfig } from '../activities/notifications';
import { buildApp } from '../api/app';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { auditSigningKey, jwtSecret } from '../config/secrets';
import { connect, createDatabase, migrate } from '../db';
import { startEmbeddedPostgres } from '../db/embedded';
import { startDevServer } from '../temporal/dev-server';
import { createCaseWorker } from '../worker';
import { installTemporalRuntime } from '../worker/runtime';

const started = performance.now();
const stops: { name: string; stop: () => Promise<unknown> }[] = [];

function progress(message: string) {
  process.stderr.write(`[ocop-cycle] ${message} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee the configuration table in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }
  const dataDir = resolve(config.OCOP_DATA_DIR);
  const log = createLogger(config.LOG_LEVEL);
  installTemporalRuntime(log);

  // PostgreSQL and Temporal start side by side: each takes a second or more on a cold machine.
  const database = (async () => {
    if (config.DATABASE_URL) {
      await createDatabase(config.DATABASE_URL);
      return config.DATABASE_URL;
    }
    progress(`starting embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}`);
    const pg = await startEmbeddedPostgres({ dir: join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT });
    stops.push({ name: 'PostgreSQL', stop: () => pg.stop() });
    await createDatabase(pg.url);
    return pg.url;
  })();
  const temporalAddress = (async () => {
    if (config.TEMPORAL_ADDRESS) return config.TEMPORAL_ADDRESS;
    progress(`starting Temporal dev server on 127.0.0.1:${config.TEMPORAL_DEV_PORT}`);
    const server = await startDevServer({
      port: config.TEMPORAL_DEV_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile: join(dataDir, 'temporal', 'temporal.db'),
      namespace: config.TEMPORAL_NAMESPACE,
      logFile: join(dataDir, 'temporal', 'server.log'),
    });
    stops.push({ name: 'Temporal dev server', stop: () => server.stop() });
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

  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createCaseWorker({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    sql,
    log: log.child({ component: 'worker' }),
    notifications: { delivery: deliveryOptionsFromConfig(config, log), offsets: offsetsFromConfig(config) },
  });
  const workerRun = worker.run();
  stops.push({ name: 'worker connection', stop: () => workerConnection.close() });
  stops.push({
    name: 'worker',
    stop: async () => {
      worker.shutdown();
      await workerRun;
    },
  });
  progress('worker polling');

  const connection = await Connection.connect({ address });
  stops.push({ name: 'client connection', stop: () => connection.close() });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = await buildApp({
    sql,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    jwtSecret: jwtSecret(config),
    log: log.child({ component: 'api' }),
    bodyLimit: config.API_BODY_LIMIT,
    rateLimit: config.API_RATE_LIMIT_PER_MINUTE,
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

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  progress('stopping');
  for (const { name, stop } of stops.reverse()) {
    try {
      await stop();
    } catch (err) {
      process.stderr.write(`[ocop-cycle] stopping ${name} failed: ${String(err)}\n`);
    }
  }
  progress('stopped');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (err: unknown) => {
  process.stderr.write(
    `[ocop-cycle] start failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  await shutdown(1);
});
