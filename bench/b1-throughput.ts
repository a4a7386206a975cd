/**
 * B1 throughput: full product cycles (idea → 3★ certificate, 15 commands and 15 events each) per second through the
 * case workflow and its activities, against two baselines on the same server in the same run: a workflow taking as
 * many Updates, each calling a no-op activity, and the same whose activity does one INSERT. Phases alternate
 * (case, no-op, insert) over several rounds, each with a fresh worker process and task queue, same concurrency.
 */
import { randomBytes } from 'node:crypto';
import type { BenchEnv } from './env';
import { percentile, pool, progress, round } from './env';
import { runBaseline, runCase } from './driver';
import { CYCLE_EVENTS, cycleSteps } from './path';
import type { WorkerTuning } from './worker-process';

export type Phase = 'case' | 'noop' | 'insert';

export interface B1Options {
  /** Cycles per phase and round. */
  cycles: number;
  rounds: number;
  /** Cycles in flight at once. */
  concurrency: number;
  tuning?: WorkerTuning;
  phases?: Phase[];
  label?: string;
  /** Worker processes polling the phase's task queue (B7 compares 1 and 2). @default 1 */
  workers?: number;
}

export interface PhaseResult {
  phase: Phase;
  cycles: number;
  seconds: number;
  cyclesPerSecond: number;
  commandsPerSecond: number;
  commandP50Ms: number;
  commandP99Ms: number;
  /** The largest peak RSS of the phase's worker processes. */
  workerPeakRssMiB: number;
}

export interface B1Result {
  label: string;
  options: B1Options;
  commandsPerCycle: number;
  phases: Record<Phase, PhaseResult | undefined>;
  rounds: PhaseResult[];
  ratioToInsert: number | null;
  ratioToNoop: number | null;
}

export async function runPhase(env: BenchEnv, phase: Phase, cycles: number, options: B1Options): Promise<PhaseResult> {
  const taskQueue = env.taskQueue(`b1-${phase}`);
  const workers = await Promise.all(
    Array.from({ length: options.workers ?? 1 }, () =>
      env.worker(phase === 'case' ? 'case' : 'baseline', options.tuning, { taskQueue }),
    ),
  );
  const tag = randomBytes(3).toString('hex');
  const latencies: number[] = [];
  const run = (i: number, record: boolean) => {
    const id = `B1-${phase}-${tag}-${i}`;
    const onLatency = record ? (ms: number) => latencies.push(ms) : undefined;
    const opts = onLatency ? { onLatency } : {};
    return phase === 'case'
      ? runCase(env.client, taskQueue, id, cycleSteps(id), opts)
      : runBaseline(env.client, taskQueue, id, phase, CYCLE_EVENTS, opts);
  };
  try {
    // Warm-up (not counted): JIT, connections, the worker's first workflow contexts.
    const warm = Math.min(options.concurrency, Math.max(4, Math.floor(cycles / 10)));
    await pool([...Array(warm).keys()], options.concurrency, (i) => run(-1 - i, false));
    const t0 = performance.now();
    let done = 0;
    const ticker = setInterval(() => progress(`B1 ${phase}: ${done}/${cycles} cycles`), 5_000);
    try {
      await pool([...Array(cycles).keys()], options.concurrency, async (i) => {
        await run(i, true);
        done += 1;
      });
    } finally {
      clearInterval(ticker);
    }
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      phase,
      cycles,
      seconds: round(seconds),
      cyclesPerSecond: round(cycles / seconds),
      commandsPerSecond: round((cycles * CYCLE_EVENTS) / seconds),
      commandP50Ms: round(percentile(latencies, 50), 1),
      commandP99Ms: round(percentile(latencies, 99), 1),
      workerPeakRssMiB: round(Math.max(...workers.map((w) => w.peakRss())) / 2 ** 20, 0),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

export async function runB1(env: BenchEnv, options: B1Options): Promise<B1Result> {
  const phases = options.phases ?? ['case', 'noop', 'insert'];
  const rounds: PhaseResult[] = [];
  for (let r = 0; r < options.rounds; r++) {
    // Rotate the order each round so no phase always runs first (warmest or coldest server).
    const order = phases.map((_, i) => phases[(i + r) % phases.length]!);
    for (const phase of order) {
      progress(`B1${options.label ? ` [${options.label}]` : ''} round ${r + 1}/${options.rounds}: ${phase}`);
      const result = await runPhase(env, phase, options.cycles, options);
      progress(`B1 ${phase}: ${result.cyclesPerSecond} cycles/s (${result.commandsPerSecond} commands/s)`);
      rounds.push(result);
    }
  }
  const total = (phase: Phase) => totalOf(rounds.filter((x) => x.phase === phase));
  const result = { case: total('case'), noop: total('noop'), insert: total('insert') };
  return {
    label: options.label ?? 'default',
    options,
    commandsPerCycle: CYCLE_EVENTS,
    phases: result,
    rounds,
    ratioToInsert:
      result.case && result.insert ? round(result.case.cyclesPerSecond / result.insert.cyclesPerSecond, 3) : null,
    ratioToNoop:
      result.case && result.noop ? round(result.case.cyclesPerSecond / result.noop.cyclesPerSecond, 3) : null,
  };
}

/** Rounds of one phase added up: cycles and seconds summed, the mean p50, the worst p99 and peak RSS. */
export function totalOf(rs: PhaseResult[]): PhaseResult | undefined {
  const first = rs[0];
  if (!first) return undefined;
  const cycles = rs.reduce((a, x) => a + x.cycles, 0);
  const seconds = rs.reduce((a, x) => a + x.seconds, 0);
  return {
    phase: first.phase,
    cycles,
    seconds: round(seconds),
    cyclesPerSecond: round(cycles / seconds),
    commandsPerSecond: round((cycles * CYCLE_EVENTS) / seconds),
    commandP50Ms: round(rs.reduce((a, x) => a + x.commandP50Ms, 0) / rs.length, 1),
    commandP99Ms: Math.max(...rs.map((x) => x.commandP99Ms)),
    workerPeakRssMiB: Math.max(...rs.map((x) => x.workerPeakRssMiB)),
  };
}
