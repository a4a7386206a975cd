/**
 * `npm run bench`: B1 throughput against its two baselines, B2 HTTP latency, B3 bulk import, B4 expiry wave, B5
 * time-skipped simulation and B7 (B1 with one worker process against two), on servers of its own (bench/env.ts).
 * Progress on stderr; the report in bench/results/latest.{json,md}. Flags: --quick (small sizes, a smoke run), --only
 * b1,b3 (a subset), --report <name> (write <name>.{json,md} instead of latest), --b3-all (B3 imports all 30,000 cases
 * instead of stopping after 210 s and extrapolating; about 15 minutes on its own).
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { runB1, type B1Result } from './b1-throughput';
import { runB2 } from './b2-latency';
import { runB3 } from './b3-bulk';
import { runB4 } from './b4-expiry-wave';
import { runB5 } from './b5-timeskip';
import { runB7 } from './b7-scale-out';
import { progress, startBenchEnv } from './env';
import { machine, table, writeReport, type Section } from './report';
import type { WorkerTuning } from './worker-process';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    // B3 without its time budget: all 30,000 imports (about 15 minutes on its own here), not part of the default run.
    'b3-all': { type: 'boolean', default: false },
    // The report's name in bench/results/ (default latest): a partial run (--only b7) then leaves latest.md alone.
    report: { type: 'string', default: 'latest' },
  },
});
const quick = values.quick ?? false;
const only = new Set((values.only ?? 'b1,b2,b3,b4,b5,b7').split(',').map((s) => s.trim().toLowerCase()));

/** The worker settings the benchmarks run with (see bench/README.md, "Tuning"). */
const TUNING: WorkerTuning = { maxCachedWorkflows: 1000, poolSize: 10 };
/** B3: a bounded cache, so memory stays flat however many cases are imported. */
const B3_TUNING: WorkerTuning = { ...TUNING, maxCachedWorkflows: 100 };

const SIZES = quick
  ? {
      b1: { cycles: 12, rounds: 1, concurrency: 12 },
      b2: { rates: [1, 5, 20], secondsPerRate: 8, readRate: 200, readSeconds: 8, readCases: 30_000 },
      b3: { cases: 300, concurrency: 24, timeBudgetSeconds: 60, baselineSeconds: 10 },
      b4: { certificates: 100, concurrency: 24, drainTimeoutSeconds: 120 },
      b5: { products: 12, concurrency: 12, years: 5 },
      b7: { cycles: 20, rounds: 2, concurrency: 12 },
    }
  : {
      b1: { cycles: 50, rounds: 3, concurrency: 20 },
      b2: { rates: [1, 5, 20], secondsPerRate: 30, readRate: 200, readSeconds: 30, readCases: 30_000 },
      b3: { cases: 30_000, concurrency: 32, timeBudgetSeconds: 210, baselineSeconds: 45 },
      b4: { certificates: 5_000, concurrency: 32, drainTimeoutSeconds: 600 },
      b5: { products: 1_000, concurrency: 20, years: 5 },
      b7: { cycles: 50, rounds: 2, concurrency: 20 },
    };

function b1Section(r: B1Result): Section {
  const row = (name: string, p: B1Result['phases']['case']) => [
    name,
    p?.cycles,
    p?.seconds,
    p?.cyclesPerSecond,
    p?.commandsPerSecond,
    p?.commandP50Ms,
    p?.commandP99Ms,
    p?.workerPeakRssMiB,
  ];
  return {
    id: 'b1',
    title: 'B1 throughput: full cycles (15 commands) per second, against two baselines',
    data: r,
    lines: [
      `Concurrency ${r.options.concurrency} cycles in flight; ${r.options.rounds} round(s) of ${r.options.cycles} ` +
        'cycles per phase, phases rotated each round, a fresh worker process and task queue per phase.',
      '',
      ...table(
        [
          'workflow',
          'cycles',
          's',
          'cycles/s',
          'commands/s',
          'command p50 ms',
          'command p99 ms',
          'worker peak RSS MiB',
        ],
        [
          row('product case (decider, event store, read models, notices)', r.phases.case),
          row('baseline: 15 Updates, no-op activity', r.phases.noop),
          row('baseline: 15 Updates, one INSERT each', r.phases.insert),
        ],
      ),
      '',
      `**Ratio to the INSERT baseline: ${r.ratioToInsert}** (goal ≥ 0.8); ratio to the no-op baseline: ${r.ratioToNoop}.`,
      '',
      'Per round:',
      '',
      ...table(
        ['phase', 'cycles/s', 'commands/s'],
        r.rounds.map((x) => [x.phase, x.cyclesPerSecond, x.commandsPerSecond]),
      ),
    ],
  };
}

async function main() {
  const started = Date.now();
  const atStart = machine();
  const sections: Section[] = [];
  const scaled: string[] = [];
  const env = await startBenchEnv();
  try {
    if (only.has('b1')) {
      const r = await runB1(env, { ...SIZES.b1, tuning: TUNING });
      sections.push(b1Section(r));
    }
    if (only.has('b2')) {
      const r = await runB2(env, { ...SIZES.b2, tuning: TUNING });
      const cmd150 = r.commands.find((c) => c.rate === 5)?.p99;
      sections.push({
        id: 'b2',
        title: 'B2 latency: HTTP command → Update → event stored and visible (open loop)',
        data: r,
        lines: [
          'Latency = answer time − the request’s scheduled send time. The read model is written in the append ' +
            `transaction, so a 2xx answer means visible; ${r.visibleChecked} answers were read back with GET.`,
          '',
          ...table(
            ['rate /s', 's', 'answered', 'errors', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
            r.commands.map((c) => [c.rate, c.seconds, c.count, c.errors, c.p50, c.p95, c.p99, c.max]),
          ),
          '',
          `p99 at 5/s: **${cmd150} ms** (goal ≤ 150 ms).`,
          '',
          `Reads: GET /products/:id at ${r.reads.rate}/s for ${r.reads.seconds} s over ${r.reads.cases} cases ` +
            `(${r.reads.seeded}): p50 ${r.reads.p50} ms, p95 ${r.reads.p95} ms, **p99 ${r.reads.p99} ms** ` +
            `(goal ≤ 20 ms), errors ${r.reads.errors}.`,
          ...(r.errorSamples.length ? ['', 'Error samples:', '', ...r.errorSamples.map((e) => `- \`${e}\``)] : []),
        ],
      });
    }
    if (only.has('b3')) {
      const r = await runB3(env, {
        ...SIZES.b3,
        ...(values['b3-all'] ? { timeBudgetSeconds: Number.POSITIVE_INFINITY } : {}),
        tuning: B3_TUNING,
      });
      if (r.imported < r.target) {
        scaled.push(
          `B3 imported ${r.imported} of ${r.target} cases in its ${SIZES.b3.timeBudgetSeconds} s budget; ` +
            `the time for ${r.target} is extrapolated at the measured rate.`,
        );
      }
      const { productIds: _ids, ...data } = r;
      sections.push({
        id: 'b3',
        title: 'B3 bulk import of already-certified products',
        data,
        lines: [
          ...table(
            ['target', 'imported', 's', 'cases/s', 's for target', 'worker peak RSS MiB', 'final RSS MiB', 'cache'],
            [
              [
                r.target,
                r.imported,
                r.seconds,
                r.casesPerSecond,
                r.projectedSecondsForTarget,
                r.workerPeakRssMiB,
                r.workerFinalRssMiB,
                r.tuning.maxCachedWorkflows,
              ],
            ],
          ),
          '',
          `Baseline, same load on a workflow started by Update-with-Start whose one activity does one INSERT: ` +
            `${r.baseline.casesPerSecond} cases/s (${r.baseline.imported} in ${r.baseline.seconds} s). ` +
            `**Ratio ${r.ratioToBaseline}.**`,
          '',
          `Goals: ≥ 50 cases/s (measured **${r.casesPerSecond}**), worker RSS ≤ 1 GiB (peak **${r.workerPeakRssMiB} MiB**).`,
          `RSS samples (MiB, every 5 s): ${r.rssSamplesMiB.join(', ')}`,
        ],
      });
    }
    if (only.has('b4')) {
      const r = await runB4(env, { ...SIZES.b4, tuning: TUNING });
      if (r.certificates < 5000) {
        scaled.push(`B4 ran ${r.certificates} certificates instead of 5,000 (a smoke run).`);
      }
      sections.push({
        id: 'b4',
        title: 'B4 expiry wave: certificates expiring on the same day',
        data: r,
        lines: [
          ...table(
            [
              'certificates',
              'expire on',
              'import s',
              'drained after s',
              'e-mails',
              'distinct',
              'duplicates',
              'outbox sent',
              'one reminder each',
            ],
            [
              [
                r.certificates,
                r.expiresOn,
                r.importSeconds,
                r.complete ? r.drainSeconds : `not drained in ${SIZES.b4.drainTimeoutSeconds}`,
                r.messages,
                r.distinctMessages,
                r.duplicates,
                `${r.remindersSent}/${r.remindersInOutbox}`,
                r.productsWithExactlyOneReminder,
              ],
            ],
          ),
        ],
      });
    }
    if (only.has('b5')) {
      const r = await runB5(env, SIZES.b5);
      if (r.products < 1000) scaled.push(`B5 ran ${r.products} products instead of 1,000; per-case figures scale.`);
      sections.push({
        id: 'b5',
        title: `B5 time-skipped simulation: ${r.products} products through ${r.years} years`,
        data: r,
        lines: [
          ...table(
            ['phase', 's'],
            r.phases.map((p) => [p.name, p.seconds]),
          ),
          '',
          `Wall time **${r.wallSeconds} s** (${r.secondsPerCase} s per case; 1,000 cases ≈ ` +
            `${Math.round(r.secondsPerCase * 1000)} s at this rate). Events: ${r.events}, **${r.eventsPerCase} per case** ` +
            `(by path: ${JSON.stringify(r.eventsPerCaseByPath)}). End stages: ${JSON.stringify(r.endStages)}.`,
        ],
      });
    }
    if (only.has('b7')) {
      const r = await runB7(env, { ...SIZES.b7, tuning: TUNING });
      sections.push({
        id: 'b7',
        title: 'B7 scale-out: B1 with one worker process against two',
        data: r,
        lines: [
          `B1's case phase, ${r.options.concurrency} cycles in flight, ${r.options.rounds} round(s) of ` +
            `${r.options.cycles} cycles per setting, the order alternating; every worker process on the same task ` +
            'queue, Temporal server and database, all on this machine.',
          '',
          ...table(
            ['worker processes', 'cycles', 's', 'cycles/s', 'commands/s'],
            r.byWorkers.map((w) => [w.workers, w.cycles, w.seconds, w.cyclesPerSecond, w.commandsPerSecond]),
          ),
          '',
          `**Two workers / one: ${r.ratio}** (per round: ` +
            `${r.rounds.map((x) => `${x.workers}w ${x.cyclesPerSecond}`).join(', ')} cycles/s).`,
        ],
      });
    }
  } finally {
    await env.stop();
  }
  const files = writeReport(
    {
      when: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      totalSeconds: Math.round((Date.now() - started) / 1000),
      machine: atStart,
      loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
      tuning: TUNING,
      scaledDown: scaled,
      note: 'Absolute times depend on what else runs on the machine; compare figures with their baselines from this run.',
    },
    sections,
    values.report,
  );
  progress(`report: ${files.md}, ${files.json}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
