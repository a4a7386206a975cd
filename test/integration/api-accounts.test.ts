/**
 * Accounts as admins manage them: created and granted within the admin's jurisdiction and no further, every change
 * an event of the account's hash-chained stream that auditors read with who, when and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type Principal } from '../../api/auth';
import { createLogger } from '../../config/logger';
import { startHarness, type Harness } from './harness';

const secret = 'accounts-secret-accounts-secret-0123456';
let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let n = 0;
const run = Date.now().toString(36);

beforeAll(async () => {
  h = await startHarness('api-accounts');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    rateLimit: 100_000,
  });
});
afterAll(async () => {
  await app?.close();
  await h?.stop();
});

const token = (p: Principal) => signToken(secret, p);
const NATIONAL = { sub: 'acc-admin-vn', role: 'admin', jurisdiction: 'VN' } as const;
const PROVINCIAL = { sub: 'acc-admin-31', role: 'admin', jurisdiction: '31' } as const;

async function post(url: string, who: Principal, payload: object, key = `acc-${run}-${(n += 1)}`) {
  return app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${await token(who)}`, 'idempotency-key': key },
    payload,
  });
}
const get = async (url: string, who: Principal) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await token(who)}` } });

describe('accounts', () => {
  it('a provincial admin creates and grants inside its province, never in another nor above', async () => {
    const created = await post('/accounts', PROVINCIAL, {
      username: `can-bo-${run}`,
      name: 'Nguyễn Văn Cán Bộ',
      homeJurisdiction: '31',
      reason: 'Cán bộ mới của văn phòng điều phối',
      password: 'mat-khau-rat-dai-2026',
    });
    expect(created.statusCode, created.body).toBe(201);
    const account = created.json<{ accountId: string; passwordSetAt: string | null }>();
    expect(account.passwordSetAt).not.toBeNull();

    // Inside: a commune of province 31.
    const inside = await post(`/accounts/${account.accountId}/grants`, PROVINCIAL, {
      role: 'commune_officer',
      jurisdiction: '10507',
      reason: 'Phụ trách xã',
    });
    expect(inside.statusCode, inside.body).toBe(200);
    // Another province, and admin above its level: refused, nothing recorded.
    for (const body of [
      { role: 'provincial_office', jurisdiction: '32', reason: 'Tỉnh khác' },
      { role: 'admin', jurisdiction: 'VN', reason: 'Lên cấp toàn quốc' },
    ]) {
      const res = await post(`/accounts/${account.accountId}/grants`, PROVINCIAL, body);
      expect(res.statusCode, res.body).toBe(403);
    }
    // A role that cannot be held there: 422 naming the field.
    const wrong = await post(`/accounts/${account.accountId}/grants`, PROVINCIAL, {
      role: 'ministry',
      jurisdiction: '31',
      reason: 'Sai cấp',
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('body.jurisdiction');
    // A missing reason: 400 naming it.
    const noReason = await post(`/accounts/${account.accountId}/disable`, PROVINCIAL, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toMatch(/body\.reason/);

    const now = (await get(`/accounts/${account.accountId}`, PROVINCIAL)).json<{ grants: unknown[] }>();
    expect(now.grants).toHaveLength(1);
    // Another province's admin does not even see it.
    const other = await get(`/accounts/${account.accountId}`, {
      sub: 'acc-admin-32',
      role: 'admin',
      jurisdiction: '32',
    });
    expect(other.statusCode).toBe(404);
  });

  it('an admin of another province cannot create accounts in this one; a non-admin creates none', async () => {
    const res = await post('/accounts', PROVINCIAL, {
      username: `ngoai-${run}`,
      name: 'Ngoài tỉnh',
      homeJurisdiction: '32',
      reason: 'Thử vượt địa bàn',
    });
    expect(res.statusCode).toBe(403);
    const officer = await post(
      '/accounts',
      { sub: 'o', role: 'provincial_office', jurisdiction: '31' },
      {
        username: `van-phong-${run}`,
        name: 'Văn phòng',
        homeJurisdiction: '31',
        reason: 'Không phải quản trị',
      },
    );
    expect(officer.statusCode).toBe(403);
  });

  it('is idempotent: the same key and body answer the first account, replayed', async () => {
    const body = { username: `lap-lai-${run}`, name: 'Lặp lại', homeJurisdiction: 'VN', reason: 'Thử khoá' };
    const first = await post('/accounts', NATIONAL, body, `same-${run}`);
    const second = await post('/accounts', NATIONAL, body, `same-${run}`);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const other = await post('/accounts', NATIONAL, { ...body, name: 'Khác' }, `same-${run}`);
    expect(other.statusCode).toBe(422);
  });

  it('auditors see who granted what to whom, when and why, an ended grant kept, and the chain verifies', async () => {
    const created = await post('/accounts', NATIONAL, {
      username: `kiem-tra-${run}`,
      name: 'Người được kiểm tra',
      homeJurisdiction: '31',
      reason: 'Tạo để kiểm toán',
    });
    const { accountId } = created.json<{ accountId: string }>();
    const granted = await post(`/accounts/${accountId}/grants`, NATIONAL, {
      role: 'provincial_office',
      jurisdiction: '31',
      reason: 'Quyết định phân công số 12',
    });
    const grantId = granted.json<{ grants: { grantId: string }[] }>().grants[0]!.grantId;
    const ended = await post(`/accounts/${accountId}/grants/${grantId}/end`, PROVINCIAL, { reason: 'Chuyển công tác' });
    expect(ended.statusCode, ended.body).toBe(200);
    const disabled = await post(`/accounts/${accountId}/disable`, PROVINCIAL, { reason: 'Nghỉ việc' });
    expect(disabled.json<{ status: string }>().status).toBe('disabled');

    const auditor = { sub: 'acc-auditor-31', role: 'auditor', jurisdiction: '31' } as const;
    const history = await get(`/accounts/${accountId}/history`, auditor);
    expect(history.statusCode, history.body).toBe(200);
    const events = history.json<{ events: { type: string; data: { reason: string }; by: { userId: string } }[] }>()
      .events;
    expect(events.map((e) => e.type)).toEqual(['AccountCreated', 'GrantAdded', 'GrantEnded', 'AccountDisabled']);
    expect(events[1]).toMatchObject({ by: { userId: 'acc-admin-vn' }, data: { reason: 'Quyết định phân công số 12' } });
    expect(events[2]).toMatchObject({ by: { userId: 'acc-admin-31' }, data: { reason: 'Chuyển công tác' } });
    const account = (await get(`/accounts/${accountId}`, auditor)).json<{ grants: { endedAt: string | null }[] }>();
    expect(account.grants[0]!.endedAt).not.toBeNull();

    const verification = await get(`/accounts/${accountId}/verification`, auditor);
    expect(verification.json()).toMatchObject({ ok: true, events: 4, readModelVersion: 4 });
    // Tampering is found: an event's data changed behind the application's back.
    await h.ownerSql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE events SET data = jsonb_set(data, '{reason}', '"sửa lén"')
        WHERE stream_id = ${`account/${accountId}`} AND stream_position = 2`;
    });
    const broken = (await get(`/accounts/${accountId}/verification`, auditor)).json<{
      ok: boolean;
      firstBreak: object;
    }>();
    expect(broken.ok).toBe(false);
    expect(broken.firstBreak).toMatchObject({ streamPosition: 2, reason: 'hash_mismatch' });
    // Other roles do not audit accounts.
    const officer = await get(`/accounts/${accountId}/history`, {
      sub: 'x',
      role: 'provincial_office',
      jurisdiction: '31',
    });
    expect(officer.statusCode).toBe(404);
  });
});
