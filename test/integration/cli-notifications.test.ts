import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../config/logger';
import { connect } from '../../db';
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

  it('lists a notice nobody could receive as a dead letter, with exit code 1', async () => {
    const sql = connect(inject('databaseUrl'), { max: 1 });
    const productId = `P-CLI-${Date.now()}`;
    try {
      // A subject with no recipient on any channel: the notice is dead-lettered, never dropped silently.
      await deliver(sql, createLogger('silent'), { ...quietDelivery, maxAttempts: 1 }, [
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
      expect.objectContaining({ status: 'dead', channel: 'none' }),
    ]);
  });
});
