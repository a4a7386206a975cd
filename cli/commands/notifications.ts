import type { Command } from 'commander';
import { z } from 'zod';
import { deliveryOptionsFromConfig } from '../../activities/notifications';
import { createLogger } from '../../config/logger';
import { AUDIENCES, type Notice } from '../../domain/notifications';
import { deliver } from '../../notifications/deliver';
import { CHANNELS, listDeadLetters, recipientSchema, requeue, seedRecipients } from '../../notifications';
import { CliError, ExitCode, out, printJson, withDatabase } from './shared';

interface RecipientRow {
  audience: string;
  audience_code: string;
  channel: string;
  address: string;
  language: string;
  active: boolean;
}

/** Who receives notices (the recipients directory), and the dead letters an operator must look at. */
export function registerNotificationCommands(program: Command): void {
  const notifications = program.command('notifications').description('notification recipients and dead letters');
  const recipients = notifications.command('recipients').description('the directory of who receives notices');

  recipients
    .command('add')
    .description('add (or update) an e-mail address or webhook URL for an audience (the in-app inbox needs none)')
    .requiredOption('--audience <audience>', `one of ${AUDIENCES.join(', ')}`)
    .requiredOption('--code <code>', 'subject id, commune code, province code or MINISTRY')
    .requiredOption('--channel <channel>', `one of ${CHANNELS.join(', ')}`)
    .requiredOption('--address <address>', 'e-mail address or http(s) URL')
    .option('--language <language>', 'vi or en: the language written first', 'vi')
    .option('--name <name>', 'display name')
    .option('--inactive', 'keep the entry but send nothing to it')
    .action(
      async (o: {
        audience: string;
        code: string;
        channel: string;
        address: string;
        language: string;
        name?: string;
        inactive?: boolean;
      }) => {
        const parsed = recipientSchema.safeParse({
          audience: o.audience,
          audienceCode: o.code,
          channel: o.channel,
          address: o.address,
          language: o.language,
          displayName: o.name ?? null,
          active: !o.inactive,
        });
        if (!parsed.success) throw new CliError(z.prettifyError(parsed.error), ExitCode.Usage);
        await withDatabase(async (sql) => {
          await seedRecipients(sql, [parsed.data]);
        });
        out(`${parsed.data.active ? 'active' : 'inactive'}: ${o.audience} ${o.code} ${o.channel} ${o.address}`);
      },
    );

  recipients
    .command('list')
    .description('the directory, optionally for one audience or code')
    .option('--audience <audience>')
    .option('--code <code>')
    .option('--json', 'machine-readable output')
    .action(async (o: { audience?: string; code?: string; json?: boolean }) => {
      const rows = await withDatabase(
        (sql) => sql<RecipientRow[]>`
          SELECT audience, audience_code, channel, address, language, active FROM recipients
          WHERE (${o.audience ?? null}::text IS NULL OR audience = ${o.audience ?? null})
            AND (${o.code ?? null}::text IS NULL OR audience_code = ${o.code ?? null})
          ORDER BY audience, audience_code, channel, address`,
      );
      if (o.json) return printJson(rows);
      for (const r of rows) {
        out(
          `${r.audience}\t${r.audience_code}\t${r.channel}\t${r.address}\t${r.language}${r.active ? '' : '\t(inactive)'}`,
        );
      }
      if (rows.length === 0) out('no recipients');
    });

  notifications
    .command('dead-letters')
    .description('notices that could not be delivered (dead) or whose delivery is not known (unconfirmed)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'machine-readable output')
    .action(async (o: { limit: string; json?: boolean }) => {
      const rows = await withDatabase((sql) => listDeadLetters(sql, { limit: Number(o.limit) || 100 }));
      // A script can alert on a non-empty list.
      if (rows.length > 0) process.exitCode = ExitCode.Failed;
      if (o.json) return printJson(rows);
      for (const r of rows) {
        out(`${r.status}\t${r.outboxKey}\t${r.channel}\t${r.recipient}\tattempts ${r.attempts}\t${r.lastError ?? ''}`);
      }
      if (rows.length === 0) out('no dead letters');
    });

  notifications
    .command('requeue')
    .description('send dead or unconfirmed notices again now (after fixing the address or checking the mail server)')
    .argument('<outboxKeys...>')
    .action(async (keys: string[]) => {
      await withDatabase(async (sql, cfg) => {
        const n = await requeue(sql, keys);
        const rows = await sql<{ notice: Notice }[]>`
          SELECT DISTINCT ON (notice->>'key') notice FROM notification_outbox WHERE outbox_key = ANY(${keys})`;
        const log = createLogger(cfg.LOG_LEVEL, { component: 'cli' });
        const report = await deliver(
          sql,
          log,
          deliveryOptionsFromConfig(cfg, log),
          rows.map((r) => r.notice),
        );
        out(
          `requeued ${n} of ${keys.length}; delivered ${report.delivered}, failed ${report.failed}, open ${report.open}`,
        );
        if (report.open > 0 || report.failed > 0) process.exitCode = ExitCode.Failed;
      });
    });
}
