/**
 * B3 bulk import: already-certified products with their history (one ImportCertifiedProduct command each, through
 * Update-with-Start, the workflow and its activities), as a province migrating from paper would. The worker runs in
 * its own process with a bounded workflow cache so that its RSS is its own.
 */
import { randomBytes } from 'node:crypto';
import type { BenchEnv } from './env';
import { pool, progress, round } from './env';
import { runBaseline, runCase } from './driver';
import { importStep } from './path';
import type { WorkerTuning } from './worker-process';

export interface B3Options {
  cases: number;
  concurrency: number;
  /** Stop starting new imports after this long; the report extrapolates to `cases`. */
  timeBudgetSeconds: number;
  /** How long the baseline imports run (a fresh baseline worker, same concurrency). */
  baselineSeconds: number;
  tuning: WorkerTuning;
  prefix?: string;
}

export interface B3Result {
  target: number;
  imported: number;
  seconds: number;
  casesPerSecond: number;
  /** Time for the target at the measured rate (equal to `seconds` when the target was reached). */
  projectedSecondsForTarget: number;
  workerPeakRssMiB: number;
  workerFinalRssMiB: number;
  rssSamplesMiB: number[];
  tuning: WorkerTuning;
  productIds: string[];
  /** The same load on a workflow that, started by Update-with-Start, does one INSERT in one activity. */
  baseline: { imported: number; seconds: number; casesPerSecond: number };
  /** casesPerSecond / baseline.casesPerSecond. */
  ratioToBaseline: number;
}

export async function runB3(env: BenchEnv, options: B3Options): Promise<B3Result> {
  const baseline = await runBaselineImports(env, options);
  progress(`B3 baseline: ${baseline.casesPerSecond} cases/s`);
  const taskQueue = env.taskQueue('b3');
  const worker = await env.worker('case', options.tuning, { taskQueue });
  const prefix = options.prefix ?? `B3-${randomBytes(3).toString('hex')}`;
  const productIds: string[] = [];
  const samples: number[] = [];
  const t0 = performance.now();
  const stopAt = Date.now() + options.timeBudgetSeconds * 1000;
  let done = 0;
  const ticker = setInterval(() => {
    samples.push(round(worker.lastRss() / 2 ** 20, 0));
    const s = (performance.now() - t0) / 1000;
    progress(`B3 import: ${done}/${options.cases} cases, ${(done / s).toFixed(1)}/s, worker RSS ${samples.at(-1)} MiB`);
  }, 5_000);
  try {
    await pool([...Array(options.cases).keys()], options.concurrency, async (i) => {
      if (Date.now() > stopAt) return;
      const productId = `${prefix}-${i}`;
      await runCase(env.client, taskQueue, productId, [importStep(productId, i)]);
      productIds.push(productId);
      done += 1;
    });
  } finally {
    clearInterval(ticker);
  }
  const seconds = (performance.now() - t0) / 1000;
  const peak = worker.peakRss();
  const last = worker.lastRss();
  await worker.stop();
  const rate = done / seconds;
  return {
    target: options.cases,
    imported: done,
    seconds: round(seconds),
    casesPerSecond: round(rate),
    projectedSecondsForTarget: round(done >= options.cases ? seconds : options.cases / rate, 0),
    workerPeakRssMiB: round(peak / 2 ** 20, 0),
    workerFinalRssMiB: round(last / 2 ** 20, 0),
    rssSamplesMiB: samples,
    tuning: options.tuning,
    productIds,
    baseline,
    ratioToBaseline: round(rate / baseline.casesPerSecond, 3),
  };
}

/** What the server and the machine allow: one Update-with-Start per case, its one activity an INSERT. */
async function runBaselineImports(env: BenchEnv, options: B3Options): Promise<B3Result['baseline']> {
  const taskQueue = env.taskQueue('b3-baseline');
  const worker = await env.worker('baseline', options.tuning, { taskQueue });
  const prefix = `B3B-${randomBytes(3).toString('hex')}`;
  const stopAt = Date.now() + options.baselineSeconds * 1000;
  const t0 = performance.now();
  let done = 0;
  try {
    await pool([...Array(options.cases).keys()], options.concurrency, async (i) => {
      if (Date.now() > stopAt) return;
      await runBaseline(env.client, taskQueue, `${prefix}-${i}`, 'insert', 1);
      done += 1;
    });
  } finally {
    await worker.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { imported: done, seconds: round(seconds), casesPerSecond: round(done / seconds) };
}
