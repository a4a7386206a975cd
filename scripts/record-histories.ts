/**
 * Records real workflow histories into test/histories/ for the replay tests: drives a few cases through the current
 * workflow code on the time-skipping server (writing to a throw-away PostgreSQL database) and saves every run's
 * history. Run it when a workflow change is released, and keep the old files: they are what running cases replay.
 *
 *   npx tsx scripts/record-histories.ts [--label <name>] [--only cases|programme]
 *
 * `--only programme` records the yearly programme's workflows alone (the starter a Schedule runs, the programme across
 * its year-end timer, the open-data export), `--only cases` the case workflow's.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../config/logger';
import { addMonths, ruleSetInForce } from '../domain';
import { DEFAULT_OFFSETS } from '../domain/notifications';
import { connect, createDatabase, dropDatabase, migrate } from '../db';
import { timeSkippingServerPath } from '../temporal/binaries';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { bundleWorkflows, createCaseWorker } from '../worker';
import { installTemporalRuntime } from '../worker/runtime';
import { CaseDriver } from '../test/integration/case-driver';
import { cmd, communeOfficer, provincialOffice, subject } from '../test/unit/case/fixtures';

const label = process.argv.includes('--label') ? process.argv[process.argv.indexOf('--label') + 1] : 'v1';
const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY = 86_400_000;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

async function main() {
  installTemporalRuntime(createLogger('warn'));
  const url = new URL(adminUrl);
  url.pathname = `/ocop_histories_${randomBytes(3).toString('hex')}`;
  await createDatabase(url.toString());
  await migrate(url.toString());
  const sql = connect(url.toString(), { max: 3 });
  const path = timeSkippingServerPath();
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    path ? { server: { executable: { type: 'existing-path', path } } } : {},
  );
  await registerSearchAttributes(env.connection.operatorService, 'default');
  const taskQueue = 'record-histories';
  const worker = await createCaseWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    sql,
    log: createLogger('silent'),
    workflowBundle: await bundleWorkflows(),
    notifications: {
      offsets: DEFAULT_OFFSETS,
      delivery: { mailer: null, webhookSecret: null, mailFrom: 'x@ocop.invalid' },
    },
  });
  const running = worker.run();
  const out = join('test', 'histories');
  mkdirSync(out, { recursive: true });
  try {
    if (only !== 'programme') {
      // A 3★ first evaluation, its certificate term (a second run), the re-rating window and expiry.
      const certified = new CaseDriver(env.client, taskQueue, `HIST-${label}-certified`);
      await certified.start(subject, cmd.registerIdea({ productId: certified.productId }));
      for (const [actor, c] of [
        [communeOfficer, cmd.acceptIdea()],
        [subject, cmd.submitPlan()],
        [communeOfficer, cmd.approvePlan()],
        [subject, cmd.submitDossier()],
        [communeOfficer, cmd.returnDossier(new Date(Date.now() + 20 * DAY).toISOString().slice(0, 10))],
        [subject, cmd.completeDossier()],
        [communeOfficer, cmd.assess()],
        [communeOfficer, cmd.forward()],
        [provincialOffice, cmd.assignRound()],
        [provincialOffice, cmd.council(66.5, 3)],
        [provincialOffice, cmd.decide(3)],
        [provincialOffice, cmd.issue('GCN-HIST-1')],
      ] as const) {
        await certified.send(actor, c);
      }
      await env.sleep(40 * 31 * DAY);
      // A dossier at the commune that runs past its 15 working days, then lapses after being returned.
      const overdue = new CaseDriver(env.client, taskQueue, `HIST-${label}-overdue`);
      await overdue.start(subject, cmd.registerIdea({ productId: overdue.productId }));
      for (const [actor, c] of [
        [communeOfficer, cmd.acceptIdea()],
        [subject, cmd.submitPlan()],
        [communeOfficer, cmd.approvePlan()],
        [subject, cmd.submitDossier()],
      ] as const) {
        await overdue.send(actor, c);
      }
      await env.sleep(30 * DAY);
      // A product certified on paper, imported late: its re-rating window has already opened and closed, so the case
      // catches up at once; then its reminder and expiry.
      // Issued 36 months before a day 100 days ahead, under the rule-set then in force (an import must follow it).
      const in100 = new Date((await env.currentTimeMs()) + 100 * DAY).toISOString().slice(0, 10);
      const issuedOn = addMonths(in100, -36);
      const importCommand = cmd.importProduct({
        star: 4,
        level: 'province',
        issuedOn,
        expiresOn: addMonths(issuedOn, 36),
        ruleSetId: ruleSetInForce(issuedOn).id,
      });
      // A rule-set that prints product numbers (QĐ 26/2026 Annex II) has the import keep its number as its id.
      const { provinceCode, communeCode } = importCommand.data as { provinceCode: string; communeCode: string };
      const importedId = ruleSetInForce(issuedOn).productNumbering
        ? `${provinceCode}-${communeCode}-001-${issuedOn.slice(0, 4)}`
        : `HIST-${label}-imported`;
      const imported = new CaseDriver(env.client, taskQueue, importedId);
      await imported.start(provincialOffice, {
        ...importCommand,
        data: { ...importCommand.data, productId: imported.productId },
      } as never);
      await env.sleep(110 * DAY);

      for (const [name, d] of [
        ['certified', certified],
        ['overdue', overdue],
        ['imported', imported],
      ] as const) {
        // Follow the chain of runs from the first: each continue-as-new names the next run.
        const described = await env.client.workflow.getHandle(d.workflowId).describe();
        let runId: string | null | undefined = described.raw.workflowExecutionInfo?.firstRunId;
        if (!runId) throw new Error(`the server did not report the first run of ${d.workflowId}`);
        while (runId) {
          const history: proto.temporal.api.history.v1.IHistory = await env.client.workflow
            .getHandle(d.workflowId, runId)
            .fetchHistory();
          const file = join(out, `${label}-${name}-${runId.slice(0, 8)}.json`);
          writeFileSync(
            file,
            `${JSON.stringify({ workflowId: d.workflowId, runId, history: proto.temporal.api.history.v1.History.fromObject(history).toJSON() })}\n`,
          );
          process.stderr.write(`saved ${file} (${history.events?.length ?? 0} events)\n`);
          const last: proto.temporal.api.history.v1.IHistoryEvent | undefined =
            history.events?.[history.events.length - 1];
          runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        }
      }
    }
    if (only !== 'cases') {
      // The yearly programme as its Schedule starts it: the starter names the year and starts the province's programme,
      // which publishes the calendar, reminds, reports mid-year and, after its timer, year-end; then the open data.
      const starter = await env.client.workflow.start('programmeYear', {
        workflowId: `HIST-${label}-programme-year`,
        taskQueue,
        args: [{ provinceCode: '19' }],
      });
      const { workflowId } = (await starter.result()) as { workflowId: string };
      await env.client.workflow.getHandle(workflowId).result();
      const openData = await env.client.workflow.start('openDataExport', {
        workflowId: `HIST-${label}-open-data`,
        taskQueue,
        args: [],
      });
      await openData.result();
      for (const [name, id] of [
        ['programme-year', starter.workflowId],
        ['programme', workflowId],
        ['open-data', openData.workflowId],
      ] as const) {
        const handle = env.client.workflow.getHandle(id);
        const { runId } = await handle.describe();
        const history = await handle.fetchHistory();
        const file = join(out, `${label}-${name}-${runId.slice(0, 8)}.json`);
        writeFileSync(
          file,
          `${JSON.stringify({ workflowId: id, runId, history: proto.temporal.api.history.v1.History.fromObject(history).toJSON() })}\n`,
        );
        process.stderr.write(`saved ${file} (${history.events?.length ?? 0} events)\n`);
      }
    }
  } finally {
    worker.shutdown();
    await running;
    await sql.end();
    await env.teardown();
    await dropDatabase(url.toString());
  }
}

main().catch((err: unknown) => {
  // The domain's reason (an Update's failure is its cause), not just "Workflow Update failed".
  const cause = err instanceof Error && err.cause instanceof Error ? `\ncaused by: ${err.cause.message}` : '';
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}\n`);
  process.exit(1);
});
