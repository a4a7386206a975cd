/**
 * A worker in its own process, so that benchmarks can measure its memory alone and fault tests can kill -9 it.
 * Spawned by `spawnWorker` (bench/env.ts) with `node --import tsx bench/worker-process.ts '<json config>'`; talks to
 * the parent over IPC: `ready` once polling, `rss` every `rssIntervalMs`, `error` if it cannot start.
 * SIGTERM drains and exits.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import { createLogger } from '../config/logger';
import { connect } from '../db';
import { DEFAULT_OFFSETS } from '../domain/notifications';
import { createCaseWorker } from '../worker';
import { installTemporalRuntime } from '../worker/runtime';
import type { BaselineActivities } from './baseline-workflows';

export interface WorkerTuning {
  /** @default 1000 (as worker/index.ts) */
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskPolls?: number;
  maxConcurrentActivityTaskPolls?: number;
  workflowThreadPoolSize?: number;
  reuseV8Context?: boolean;
  /** Database pool. @default 10 (as DATABASE_POOL_SIZE) */
  poolSize?: number;
  /** V8 old-space limit of the worker process (`--max-old-space-size`), in MiB. @default Node's own */
  maxOldSpaceMiB?: number;
}

export interface WorkerProcessConfig {
  kind: 'case' | 'baseline';
  address: string;
  taskQueue: string;
  databaseUrl: string;
  bundlePath: string;
  tuning?: WorkerTuning;
  /** Deliver notification e-mail to this SMTP port on 127.0.0.1 (B4); otherwise e-mail and webhooks are off. */
  smtpPort?: number;
  /** @default 1000 */
  rssIntervalMs?: number;
}

export type WorkerMessage =
  { type: 'ready' } | { type: 'rss'; rss: number; heapUsed: number } | { type: 'error'; message: string };

function send(message: WorkerMessage) {
  if (process.send) process.send(message);
}

async function main() {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessConfig;
  const tuning = config.tuning ?? {};
  installTemporalRuntime(createLogger(process.env.BENCH_WORKER_LOG_LEVEL ?? 'error'));
  const log = createLogger('silent');
  const sql = connect(config.databaseUrl, { max: tuning.poolSize ?? 10 });
  const connection = await NativeConnection.connect({ address: config.address });
  // The SDK's own knobs, passed on as given; the rest of `tuning` is ours.
  const { maxCachedWorkflows = 1000, poolSize: _pool, maxOldSpaceMiB: _heap, ...tuned } = tuning;
  // The case worker is the product's own (workflows, activities and notification sender); the baselines' is bare.
  const worker =
    config.kind === 'case'
      ? await createCaseWorker({
          connection,
          namespace: 'default',
          taskQueue: config.taskQueue,
          sql,
          log,
          workflowBundle: { codePath: config.bundlePath },
          maxCachedWorkflows,
          tuning: tuned,
          notifications: {
            offsets: DEFAULT_OFFSETS,
            delivery: {
              mailer: config.smtpPort
                ? nodemailer.createTransport({
                    host: '127.0.0.1',
                    port: config.smtpPort,
                    secure: false,
                    ignoreTLS: true,
                    pool: true,
                    maxConnections: 4,
                  })
                : null,
              webhookSecret: null,
              mailFrom: 'bench@ocop.invalid',
            },
            sender: { concurrency: 4, pollMs: 1000 },
          },
        })
      : await Worker.create({
          connection,
          namespace: 'default',
          taskQueue: config.taskQueue,
          activities: baselineActivities(sql),
          workflowBundle: { codePath: config.bundlePath },
          maxCachedWorkflows,
          ...tuned,
        });
  const running = worker.run();
  send({ type: 'ready' });
  const rssTimer = setInterval(() => {
    const m = process.memoryUsage();
    send({ type: 'rss', rss: m.rss, heapUsed: m.heapUsed });
  }, config.rssIntervalMs ?? 1000);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    worker.shutdown();
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  try {
    await running;
  } finally {
    clearInterval(rssTimer);
    await connection.close();
    await sql.end({ timeout: 5 });
  }
  process.exit(0);
}

function baselineActivities(sql: ReturnType<typeof connect>): BaselineActivities {
  return {
    noop: ({ step }) => Promise.resolve(step),
    async insertRow({ id, step }) {
      await sql`INSERT INTO bench_baseline (id, data) VALUES (${`${id}/${step}`}, ${sql.json({ id, step })})`;
      return step;
    },
  };
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.stderr.write(`worker-process: ${String(err)}\n`);
  process.exit(1);
});
