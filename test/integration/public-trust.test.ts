import { generateKeyPairSync } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { signToken, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { documentKeys, signDocumentToken, verifyDocumentToken, type DocumentClaims } from '../../documents/token';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { openTodaysRound } from '../support/rounds';
import { startHarness, type Harness } from './harness';

// Public trust (issue 20): a certificate's signed QR token, verified offline with the published keys and on the
// public page in a browser with JavaScript off. Codes only this file uses.
const PROVINCE = '42';
const COMMUNE = '18073';
const SUBJECT = 'HTX-TRUST';
const secret = 'public-trust-secret-public-trust-0001';
const keys = documentKeys(generateKeyPairSync('ed25519').privateKey);

let h: Harness;
let app: Awaited<ReturnType<typeof buildApp>>;
let browser: Browser;
let base = '';
const tokens: Record<string, string> = {};
let n = 0;
const key = () => `trust-${Date.now()}-${(n += 1)}`;
const token = (role: UserRole, jurisdiction: string, sub = `tr-${role}-${jurisdiction}`) =>
  signToken(secret, { sub, role, jurisdiction });

beforeAll(async () => {
  h = await startHarness('public-trust');
  app = await buildApp({
    sql: h.sql,
    temporal: h.client,
    taskQueue: h.taskQueue,
    jwtSecret: secret,
    log: createLogger('silent'),
    documentKeys: keys,
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  tokens.subject = await token('subject', SUBJECT, SUBJECT);
  tokens.commune = await token('commune_officer', COMMUNE);
  tokens.province = await token('provincial_office', PROVINCE);
  await openTodaysRound(app, tokens.province, PROVINCE);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await h?.stop();
});

async function step(productId: string, type: CaseCommandType, as: string, body: object = COMMAND_EXAMPLES[type]) {
  const res = await app.inject({
    method: 'POST',
    url: `/products/${productId}/${kebabOf(type)}`,
    headers: { authorization: `Bearer ${as}`, 'idempotency-key': key() },
    payload: body,
  });
  expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
}

/** A case driven over HTTP to a 4★ certificate with this number. */
async function certify(number: string, productName: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/products',
    headers: { authorization: `Bearer ${tokens.subject}`, 'idempotency-key': key() },
    payload: {
      subjectId: SUBJECT,
      subjectName: 'Hợp tác xã Mật ong Bảo Lộc',
      productName,
      productSetCode: 'tea',
      provinceCode: PROVINCE,
      communeCode: COMMUNE,
      ideaSummary: 'Sản phẩm đóng hộp',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  const productId = res.json<{ productId: string }>().productId;
  const s = tokens.subject!;
  const c = tokens.commune!;
  const p = tokens.province!;
  const steps: [CaseCommandType, string, object?][] = [
    ['AcceptIdea', c],
    ['SubmitBusinessPlan', s],
    ['ApproveBusinessPlan', c],
    ['SubmitDossier', s],
    ['AssessDossierAtCommune', c],
    ['ForwardDossierToProvince', c],
    ['AssignToProvincialRound', p],
    ['RecordCouncilResult', p],
    ['DecideRecognition', p],
    ['IssueCertificate', p, { certificateNumber: number }],
  ];
  for (const [type, as, body] of steps) await step(productId, type, as, body);
  return productId;
}

async function documentOf(number: string) {
  const res = await app.inject({
    method: 'GET',
    url: `/certificates/${number}/document`,
    headers: { authorization: `Bearer ${tokens.province}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ token: string; verifyUrl: string; hash: string; kid: string }>();
}

/** The page as a browser without JavaScript shows it. */
async function pageText(
  url: string,
): Promise<{ status: number; text: string; verdict: string | null; state: string | null }> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    const res = await page.goto(url);
    const html = await page.content();
    expect(html, html.slice(0, 600)).toContain('id="verdict"');
    const verdict = page.locator('#verdict');
    return {
      status: res!.status(),
      text: await page.locator('body').innerText(),
      verdict: await verdict.getAttribute('data-verdict'),
      state: await verdict.getAttribute('data-status'),
    };
  } finally {
    await context.close();
  }
}

const PERSONAL = [SUBJECT, 'tr-', 'subjectId', '@', 'phone'];

describe('public trust', () => {
  let valid: { token: string; verifyUrl: string; hash: string; kid: string };
  let revoked: { token: string; verifyUrl: string; hash: string; kid: string };

  it('signs a certificate’s token, records the document and verifies offline with the published keys', async () => {
    const productId = await certify('GCN-TR-0001', 'Mật ong hoa cà phê');
    valid = await documentOf('GCN-TR-0001');
    expect(valid.verifyUrl).toMatch(/\/verify\/[\w-]+\.[\w-]+\.[\w-]+$/);
    const published = await app.inject({ method: 'GET', url: '/public/keys' });
    expect(published.statusCode).toBe(200);
    const jwks = published.json<{ keys: { kid: string; x: string }[] }>();
    const offline = new Map<string, KeyObject>(
      jwks.keys.map((k) => [k.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' })]),
    );
    const check = verifyDocumentToken(valid.token, offline);
    expect(check).toMatchObject({
      ok: true,
      kid: valid.kid,
      claims: { n: 'GCN-TR-0001', p: productId, s: 4, h: valid.hash },
    });
    const [row] = await h.sql<{ hash: string; kid: string }[]>`
      SELECT hash, kid FROM documents WHERE kind = 'certificate' AND number = 'GCN-TR-0001'`;
    expect(row).toEqual({ hash: valid.hash, kid: valid.kid });
  }, 180_000);

  it('detects a forged and an altered token', () => {
    const [header, payload] = valid.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, s: 5 })).toString('base64url')}.${valid.token.split('.')[2]}`;
    expect(verifyDocumentToken(altered, keys.verifiers)).toEqual({ ok: false, fault: 'bad_signature' });
    // A forger's own key, claiming our kid: the signature does not verify under the published key.
    const forger = generateKeyPairSync('ed25519').privateKey;
    const forged = signDocumentToken({ signing: forger, kid: keys.kid }, { ...(claims as DocumentClaims), s: 5 });
    expect(verifyDocumentToken(forged, keys.verifiers)).toEqual({ ok: false, fault: 'bad_signature' });
    const unknown = signDocumentToken({ signing: forger, kid: 'someone-else' }, claims as DocumentClaims);
    expect(verifyDocumentToken(unknown, keys.verifiers)).toEqual({ ok: false, fault: 'unknown_key' });
  });

  it('shows a valid certificate in a browser without JavaScript, with nothing personal', async () => {
    const page = await pageText(`${base}/verify/${valid.token}`);
    expect(page.status).toBe(200);
    expect(page.verdict).toBe('genuine');
    expect(page.state).toBe('valid');
    expect(page.text).toContain('Còn hiệu lực');
    expect(page.text).toContain('Mật ong hoa cà phê');
    expect(page.text).toContain('Hợp tác xã Mật ong Bảo Lộc');
    expect(page.text).toContain('4 sao');
    for (const word of PERSONAL) expect(page.text).not.toContain(word);
    const res = await app.inject({ method: 'GET', url: `/verify/${valid.token}` });
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).not.toMatch(/<script/i);
  });

  it('says an altered or forged token is not genuine', async () => {
    const [header, payload, sig] = valid.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${header}.${Buffer.from(JSON.stringify({ ...claims, s: 5 })).toString('base64url')}.${sig}`;
    for (const t of [altered, 'not-a-token', `${header}.${payload}.${'A'.repeat(86)}`]) {
      const page = await pageText(`${base}/verify/${t}`);
      expect(page.status, t).toBe(404);
      expect(page.verdict).toBe('not-genuine');
      expect(page.text).toContain('KHÔNG xác thực');
    }
  });

  it('shows a revoked certificate with its date and ground', async () => {
    const productId = await certify('GCN-TR-0002', 'Mật ong hoa nhãn');
    revoked = await documentOf('GCN-TR-0002');
    await step(productId, 'ProposeRevocation', tokens.province!);
    await step(productId, 'RevokeCertificate', tokens.province!);
    const page = await pageText(`${base}/verify/${revoked.token}`);
    expect(page.status).toBe(200);
    expect(page.state).toBe('revoked');
    expect(page.text).toContain('Đã bị thu hồi');
    expect(page.text).toContain('điểm b khoản 3 Điều 8');
    expect(page.text).toMatch(/Ngày chấm dứt hiệu lực[^\n]*\n?\s*\d{2}\/\d{2}\/\d{4}/);
  }, 180_000);

  it('shows a certificate past its last day as expired', async () => {
    // The expiry timer has not run (it fires years from now): the page reads the date itself.
    await h.sql`UPDATE certificates SET expires_on = DATE '2020-01-01', issued_on = DATE '2017-01-01'
      WHERE certificate_number = 'GCN-TR-0001'`;
    const page = await pageText(`${base}/verify/${valid.token}`);
    expect(page.state).toBe('expired');
    expect(page.text).toContain('Đã hết hiệu lực');
    expect(page.text).toContain('01/01/2020');
  });

  it('looks products up publicly by name without diacritics, number or commune, with their status and nothing personal', async () => {
    const lookUp = async (query: string) => {
      const res = await app.inject({ method: 'GET', url: `/public/products?${query}` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      for (const word of PERSONAL) expect(res.body).not.toContain(word);
      return res.json<{ items: { certificateNumber: string; status: string; communeName: string; star: number }[] }>()
        .items;
    };
    const byName = await lookUp('q=mat%20ong%20hoa%20nhan');
    expect(byName.map((i) => [i.certificateNumber, i.status, i.star])).toEqual([['GCN-TR-0002', 'revoked', 4]]);
    expect(byName[0]!.communeName).not.toMatch(/^\d+$/);
    expect((await lookUp('number=GCN-TR-0001')).map((i) => i.status)).toEqual(['expired']);
    const inCommune = (await lookUp(`commune=${COMMUNE}`)).map((i) => i.certificateNumber);
    expect(inCommune).toEqual(expect.arrayContaining(['GCN-TR-0001', 'GCN-TR-0002']));
    expect(await lookUp('q=khong%20co%20san%20pham%20nao')).toEqual([]);
    const bad = await app.inject({ method: 'GET', url: '/public/products?limit=500' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.limit');
  });
});
