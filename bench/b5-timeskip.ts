/**
 * B5 time-skipped simulation: products through five years on the time-skipping test server, with the worker writing
 * to the run's real database. Every product is certified (3★) in the first weeks; then a quarter upgrade to 4★
 * after six months, a quarter are revoked after a year, a quarter are re-rated before their certificate expires,
 * and a quarter simply let it expire. Timers (re-rating windows, expiry, reminders) fire as the clock jumps.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { createLogger } from '../config/logger';
import { connect } from '../db';
import { addDays, localDate, type Actor } from '../domain';
import { DEFAULT_OFFSETS } from '../domain/notifications';
import { timeSkippingServerPath } from '../temporal/binaries';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { createCaseWorker } from '../worker';
import { installTemporalRuntime } from '../worker/runtime';
import type { BenchEnv } from './env';
import { pool, progress, round } from './env';
import { caseWorkflowId, commandUpdate, type CommandRequest } from '../workflows/messages';
import { runCase } from './driver';
import { cycleSteps, provincialOffice, PROVINCE, type Step } from './path';
import { openRoundFacts } from '../test/support/rounds';

const DAY = 86_400_000;

export interface B5Options {
  products: number;
  concurrency: number;
  years: number;
}

export interface B5Result {
  products: number;
  years: number;
  wallSeconds: number;
  phases: { name: string; seconds: number }[];
  events: number;
  eventsPerCase: number;
  eventsPerCaseByPath: Record<string, number>;
  endStages: Record<string, number>;
  secondsPerCase: number;
}

const subjectOf = (productId: string): Actor => ({
  userId: `u-HTX-${productId}`,
  role: 'subject',
  office: `HTX-${productId}`,
});

function evaluation(productId: string, kind: 'upgrade' | 're_rating', score: number, star: 3 | 4) {
  const steps: Step[] = [
    {
      actor: subjectOf(productId),
      command: {
        type: 'SubmitDossier',
        data: { kind, dossierRef: `HS-${kind}`, selfAssessedScore: score, sampleCount: 5 },
      },
    },
    cycleSteps(productId)[5]!,
    cycleSteps(productId)[6]!,
    {
      actor: provincialOffice,
      command: { type: 'AssignToProvincialRound', data: {} },
      rounds: openRoundFacts(PROVINCE),
    },
    {
      actor: provincialOffice,
      command: {
        type: 'RecordCouncilResult',
        data: { averageScore: score, star, knockOut: null, sheetCode: '11', memberCount: 9 },
      },
    },
    { actor: provincialOffice, command: { type: 'DecideRecognition', data: { star, decisionNumber: `QD-${kind}` } } },
    {
      actor: provincialOffice,
      command: { type: 'IssueCertificate', data: { certificateNumber: `GCN-${kind}-${productId}` } },
    },
  ];
  return steps;
}

async function sendAll(client: Client, productId: string, steps: Step[], tag: string): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const commandId = `${productId}/${tag}${i + 1}`;
    const request: CommandRequest = {
      commandId,
      actor: step.actor,
      command: step.command as never,
      ...(step.rounds ? { rounds: step.rounds } : {}),
    };
    await client.workflow
      .getHandle(caseWorkflowId(productId))
      .executeUpdate(commandUpdate, { args: [request], updateId: commandId });
  }
}

export async function runB5(env: BenchEnv, options: B5Options): Promise<B5Result> {
  installTemporalRuntime(createLogger('error'));
  const path = timeSkippingServerPath();
  const ts = await TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : {},
  );
  await registerSearchAttributes(ts.connection.operatorService, 'default');
  const sql = connect(env.databaseUrl, { max: 10 });
  const taskQueue = env.taskQueue('b5');
  const worker = await createCaseWorker({
    connection: ts.nativeConnection,
    namespace: 'default',
    taskQueue,
    sql,
    log: createLogger('silent'),
    workflowBundle: { codePath: env.caseBundlePath },
    notifications: {
      offsets: DEFAULT_OFFSETS,
      delivery: { mailer: null, webhookSecret: null, mailFrom: 'bench@ocop.invalid' },
    },
  });
  const running = worker.run();
  const phases: { name: string; seconds: number }[] = [];
  const t0 = performance.now();
  const prefix = `B5-${Date.now().toString(36)}`;
  const ids = Array.from({ length: options.products }, (_, i) => `${prefix}-${i}`);
  const pathOf = (i: number) => (['expire', 'upgrade', 'revoke', 're_rating'] as const)[i % 4]!;
  const phase = async (name: string, work: () => Promise<void>) => {
    const p0 = performance.now();
    progress(`B5 ${name}`);
    await work();
    phases.push({ name, seconds: round((performance.now() - p0) / 1000) });
  };
  const start = await ts.currentTimeMs();
  const sleepTo = async (days: number) => {
    const target = start + days * DAY;
    const now = await ts.currentTimeMs();
    if (target > now) await ts.sleep(target - now);
  };
  try {
    await phase('certify every product (15 commands each)', () =>
      pool(ids, options.concurrency, async (id) => {
        const now = new Date(await ts.currentTimeMs());
        await runCase(ts.client, taskQueue, id, cycleSteps(id, now));
      }),
    );
    await phase('skip 6 months; upgrades to 4★', async () => {
      await sleepTo(183);
      await pool(
        ids.filter((_, i) => pathOf(i) === 'upgrade'),
        options.concurrency,
        (id) => sendAll(ts.client, id, evaluation(id, 'upgrade', 80, 4), 'u'),
      );
    });
    await phase('skip to 1 year; revocations', async () => {
      await sleepTo(365);
      const today = localDate(new Date(await ts.currentTimeMs()).toISOString());
      await pool(
        ids.filter((_, i) => pathOf(i) === 'revoke'),
        options.concurrency,
        (id) =>
          sendAll(
            ts.client,
            id,
            [
              {
                actor: provincialOffice,
                command: {
                  type: 'RevokeCertificate',
                  data: { ground: 'b', concludedOn: addDays(today, -5), decisionNumber: 'QD-TH-1', reason: 'Kiểm tra' },
                },
              },
            ],
            'r',
          ),
      );
    });
    await phase('skip to 130 days before expiry; re-ratings', async () => {
      await sleepTo(3 * 365 - 130);
      await pool(
        ids.filter((_, i) => pathOf(i) === 're_rating'),
        options.concurrency,
        (id) => sendAll(ts.client, id, evaluation(id, 're_rating', 62, 3), 'rr'),
      );
    });
    await phase(`skip to ${options.years} years (expiries, windows, reminders)`, async () => {
      for (let d = 3 * 365 - 130 + 90; d <= options.years * 365; d += 90) await sleepTo(d);
      await sleepTo(options.years * 365);
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const counts = await sql<{ stream_id: string; n: number }[]>`
      SELECT stream_id, count(*)::int AS n FROM events WHERE stream_id LIKE ${`${prefix}-%`} GROUP BY stream_id`;
    const stages = await sql<{ stage: string; n: number }[]>`
      SELECT stage, count(*)::int AS n FROM cases WHERE product_id LIKE ${`${prefix}-%`} GROUP BY stage`;
    const byPath: Record<string, number[]> = {};
    for (const row of counts) {
      const i = Number(row.stream_id.split('-').at(-1));
      (byPath[pathOf(i)] ??= []).push(row.n);
    }
    const events = counts.reduce((a, r) => a + r.n, 0);
    return {
      products: options.products,
      years: options.years,
      wallSeconds: round(wallSeconds),
      phases,
      events,
      eventsPerCase: round(events / options.products),
      eventsPerCaseByPath: Object.fromEntries(
        Object.entries(byPath).map(([k, v]) => [k, round(v.reduce((a, x) => a + x, 0) / v.length)]),
      ),
      endStages: Object.fromEntries(stages.map((r) => [r.stage, r.n])),
      secondsPerCase: round(wallSeconds / options.products, 3),
    };
  } finally {
    worker.shutdown();
    await running;
    await sql.end({ timeout: 5 });
    await ts.teardown();
  }
}
