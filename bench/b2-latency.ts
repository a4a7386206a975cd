/**
 * B2 latency through the HTTP API: command → Update → events stored and the read model rewritten (same
 * transaction, so a 2xx answer means the change is visible; a sample is read back to check). Open-loop arrivals at
 * fixed rates: request i is due at t0 + i/rate whatever happened before, and its latency is the answer's time minus
 * that due time, so a slow answer cannot hide the queue behind it. Then GET /products/:id at a fixed rate over
 * 30,000 cases written straight into the read model.
 */
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../api/app';
import { signToken, type Principal } from '../api/auth';
import { createLogger } from '../config/logger';
import type { CommandInput } from '../domain';
import { kebabOf } from '../api/routes/commands';
import type { BenchEnv } from './env';
import type { ReadLoadConfig, ReadLoadResult } from './read-load';
import { percentile, progress, round } from './env';
import { COMMUNE, cycleSteps, PROVINCE } from './path';
import type { WorkerTuning } from './worker-process';

/** Seconds of reads before the measured ones, not counted (see bench/read-load.ts). */
const READ_WARM_UP_SECONDS = 3;

export interface B2Options {
  rates: number[];
  secondsPerRate: number;
  readRate: number;
  readSeconds: number;
  readCases: number;
  tuning?: WorkerTuning;
}

interface Stats {
  count: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface B2Result {
  commands: ({ rate: number; seconds: number } & Stats)[];
  reads: { rate: number; seconds: number; cases: number; seeded: string } & Stats;
  errorSamples: string[];
  visibleChecked: number;
}

const JWT_SECRET = `bench-secret-${randomBytes(16).toString('hex')}`;
const SUBJECT_ID = 'HTX-B2';

function stats(latencies: number[], errors: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: latencies.length,
    errors,
    p50: round(percentile(sorted, 50), 1),
    p95: round(percentile(sorted, 95), 1),
    p99: round(percentile(sorted, 99), 1),
    max: round(sorted.at(-1) ?? NaN, 1),
  };
}

const sleepUntil = (t: number) => {
  const ms = t - performance.now();
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
};

export async function runB2(env: BenchEnv, options: B2Options): Promise<B2Result> {
  const taskQueue = env.taskQueue('b2');
  const worker = await env.worker('case', options.tuning, { taskQueue });
  const app = await buildApp({
    sql: env.sql,
    temporal: env.client,
    taskQueue,
    jwtSecret: JWT_SECRET,
    log: createLogger('silent'),
    rateLimit: 10_000_000,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const tokens: Record<string, string> = {};
  const principals: Principal[] = [
    { sub: SUBJECT_ID, role: 'subject', jurisdiction: SUBJECT_ID },
    { sub: 'u-commune', role: 'commune_officer', jurisdiction: COMMUNE },
    { sub: 'u-province', role: 'provincial_office', jurisdiction: PROVINCE },
  ];
  for (const p of principals) tokens[p.role] = await signToken(JWT_SECRET, p);
  const errorSamples: string[] = [];
  let visibleChecked = 0;

  async function post(path: string, role: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens[role]}`,
        'idempotency-key': randomBytes(12).toString('hex'),
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  /** The 15 commands of one cycle as HTTP requests: RegisterIdea opens the case, the rest name it. */
  function requestsOf(): { role: string; command: CommandInput }[] {
    return cycleSteps('X').map((s, i) => {
      if (i === 0) {
        const { productId: _p, ...data } = s.command.data as Record<string, unknown>;
        return {
          role: s.actor.role,
          command: { ...s.command, data: { ...data, subjectId: SUBJECT_ID } } as CommandInput,
        };
      }
      return { role: s.actor.role, command: s.command };
    });
  }

  async function atRate(rate: number, seconds: number) {
    const total = Math.round(rate * seconds);
    // Enough cases that one case's next command is due a few seconds after its previous one.
    const lanes = Math.max(4, Math.ceil(rate * 3));
    const steps = requestsOf();
    const latencies: number[] = [];
    let errors = 0;
    const t0 = performance.now() + 200;
    const laneState = Array.from({ length: lanes }, (): { productId: string; step: number; chain: Promise<void> } => ({
      productId: '',
      step: 0,
      chain: Promise.resolve(),
    }));
    const sent: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const lane = laneState[i % lanes]!;
      const previous = lane.chain;
      lane.chain = (async () => {
        await sleepUntil(due);
        // Sent at its due time, unless the case's previous command has not answered yet (then right after it).
        await previous;
        const step = steps[lane.step]!;
        try {
          const r =
            lane.step === 0
              ? await post('/products', step.role, step.command.data)
              : await post(`/products/${lane.productId}/${kebabOf(step.command.type)}`, step.role, step.command.data);
          const latency = performance.now() - due;
          if (r.status >= 300) {
            errors += 1;
            if (errorSamples.length < 5)
              errorSamples.push(`${step.command.type}: ${r.status} ${JSON.stringify(r.json)}`);
            lane.step = 0;
            return;
          }
          latencies.push(latency);
          if (lane.step === 0) lane.productId = (r.json as { productId: string }).productId;
          lane.step = (lane.step + 1) % steps.length;
          if (i % 50 === 0) {
            const view = await fetch(`${base}/products/${lane.productId}`, {
              headers: { authorization: `Bearer ${tokens.provincial_office}` },
            });
            const body = (await view.json()) as { version?: number };
            if (view.status === 200 && typeof body.version === 'number') visibleChecked += 1;
          }
        } catch (err) {
          errors += 1;
          if (errorSamples.length < 5) errorSamples.push(String(err));
          lane.step = 0;
        }
      })();
      sent.push(lane.chain);
    }
    const ticker = setInterval(() => progress(`B2 ${rate}/s: ${latencies.length}/${total} answered`), 5_000);
    await Promise.all(sent);
    clearInterval(ticker);
    return stats(latencies, errors);
  }

  try {
    const commands: B2Result['commands'] = [];
    // A short warm-up so the first rate does not pay for cold JIT and connections.
    await atRate(2, 5);
    for (const rate of options.rates) {
      progress(`B2 commands at ${rate}/s for ${options.secondsPerRate} s`);
      const s = await atRate(rate, options.secondsPerRate);
      progress(`B2 ${rate}/s: p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, errors ${s.errors}`);
      commands.push({ rate, seconds: options.secondsPerRate, ...s });
    }

    // Read model with `readCases` cases: copies of a real case row under new ids (direct inserts, no workflows).
    progress(`B2 seeding ${options.readCases} cases into the read model`);
    const prefix = `B2R-${randomBytes(3).toString('hex')}`;
    await env.ownerSql`
      INSERT INTO cases
      SELECT ${prefix} || '-' || g, c.version, c.stage, c.star, c.product_name, c.product_set_code, c.subject_id,
             c.subject_name, c.province_code, c.commune_code, c.rule_set_id, c.certificate_number,
             c.certificate_expiry, c.next_deadline_kind, c.next_deadline_at, c.registered_at, c.updated_at,
             jsonb_set(c.summary, '{productId}', to_jsonb(${prefix} || '-' || g))
      FROM generate_series(1, ${options.readCases}) g,
           (SELECT * FROM cases WHERE subject_id = ${SUBJECT_ID} ORDER BY version DESC LIMIT 1) c`;
    // VACUUM as well: otherwise autovacuum wakes for the 30,000 new rows in the middle of the measurement.
    await env.ownerSql`VACUUM ANALYZE cases`;
    // The reads come from a process of their own (bench/read-load.ts), as a real client's would.
    progress(
      `B2 reads at ${options.readRate}/s for ${options.readSeconds} s (after ${READ_WARM_UP_SECONDS} s not counted)`,
    );
    const read = await readLoad({
      base,
      token: tokens.provincial_office!,
      prefix,
      cases: options.readCases,
      rate: options.readRate,
      seconds: options.readSeconds,
      warmUpSeconds: READ_WARM_UP_SECONDS,
    });
    const readLatencies = read.latencies;
    const readErrors = read.errors;
    errorSamples.push(...read.errorSamples);
    const r = stats(readLatencies, readErrors);
    progress(`B2 reads: p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, errors ${r.errors}`);
    return {
      commands,
      reads: {
        rate: options.readRate,
        seconds: options.readSeconds,
        cases: options.readCases,
        seeded: 'copies of one certified case row inserted straight into the cases read model',
        ...r,
      },
      errorSamples,
      visibleChecked,
    };
  } finally {
    await app.close();
    await worker.stop();
  }
}

/** Runs bench/read-load.ts in a child process and returns what it measured. */
function readLoad(config: ReadLoadConfig): Promise<ReadLoadResult> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'read-load.ts'), [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: ReadLoadResult | undefined;
    child.once('message', (m: ReadLoadResult) => (result = m));
    child.once('error', reject);
    child.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`the read load process exited with ${code} and no result`)),
    );
  });
}
