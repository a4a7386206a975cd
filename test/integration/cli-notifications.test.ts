import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger';
import { connect } from '../../db';
import { seedRecipients } from '../../notifications';
import { deliver } from '../../notifications/deliver';

const quietDelivery = {
  mailer: null,
  webhookSecret: null,
  mailFrom: 'OCOP test <test@ocop.invalid>',
  maxAttempts: 8,
  leaseSeconds: 300,
  webhookTimeoutMs: 1_000,
  fetch: globalThis.fetch,
  retryBaseSeconds: 30,
};

// The operator's side of notifications: who receives notices is configured with `ocop notifications recipients`,
// and undeliverable notices are listed (exit 1, so monitoring can alert on them).

function ocop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'cli/ocop.ts', ...args],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        env: { ...process.env, DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'error' },
        timeout: 90_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('ocop notifications', () => {
  const code = `HTX-CLI-${Date.now()}`;

  it('adds recipients and lists them; refuses a malformed address with exit 2, naming it', async () => {
    const added = await ocop([
      'notifications',
      'recipients',
      'add',
      '--audience',
      'subject',
      '--code',
      code,
      '--channel',
      'email',
      '--address',
      'htx@example.vn',
      '--language',
      'en',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const bad = await ocop([
      'notifications',
      'recipients',
      'add',
      '--audience',
      'subject',
      '--code',
      code,
      '--channel',
      'webhook',
      '--address',
      'not a url',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/address/);
    const listed = await ocop(['notifications', 'recipients', 'list', '--code', code, '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        audience: 'subject',
        audience_code: code,
        channel: 'email',
        address: 'htx@example.vn',
        language: 'en',
        active: true,
      },
    ]);
  });

  it('refuses an inbox entry: the inbox needs no configuration', async () => {
    const res = await ocop([
      'notifications',
      'recipients',
      'add',
      '--audience',
      'commune',
      '--code',
      '00004',
      '--channel',
      'inbox',
      '--address',
      'someone',
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/channel/);
    expect(res.stderr).toMatch(/inbox needs no recipient/);
  });

  it('lists a notice a recipient could not take as a dead letter, with exit code 1', async () => {
    const sql = connect(inject('databaseUrl'), { max: 1 });
    const productId = `P-CLI-${Date.now()}`;
    try {
      // A webhook nobody answers, one attempt: that copy is dead-lettered, never dropped silently.
      await seedRecipients(sql, [
        {
          audience: 'subject',
          audienceCode: `NOBODY-${productId}`,
          channel: 'webhook',
          address: 'http://127.0.0.1:9/',
        },
      ]);
      const options = { ...quietDelivery, webhookSecret: 'cli-test-webhook-secret', maxAttempts: 1 };
      await deliver(sql, createLogger('silent'), options, [
        {
          key: `${productId}:certificate_expired:2029-06-15`,
          kind: 'certificate_expired',
          productId,
          audience: 'subject',
          audienceCode: `NOBODY-${productId}`,
          dueAt: '2029-06-15T16:59:59.999Z',
          staleAt: null,
          facts: { certificateNumber: 'GCN-1', expiresOn: '2029-06-15', endedOn: '2029-06-15' },
        },
      ]);
    } finally {
      await sql.end();
    }
    const res = await ocop(['notifications', 'dead-letters', '--json', '--limit', '1000']);
    expect(res.code).toBe(1);
    const rows = JSON.parse(res.stdout) as { noticeKey: string; status: string; channel: string }[];
    expect(rows.filter((r) => r.noticeKey.startsWith(productId))).toEqual([
      expect.objectContaining({ status: 'dead', channel: 'webhook' }),
    ]);
  });
});
