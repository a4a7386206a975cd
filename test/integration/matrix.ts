/**
 * Every route × every role × own or another jurisdiction, generated from the route table. A write is tried in a
 * stage where its command is legal, so the answer depends only on who asks: 404 for a case the caller cannot
 * see, 403 for a visible case the role or jurisdiction may not change (auditors always), 200 for the one who may.
 *
 * The same matrix runs once per way of signing in (`roleMatrix(mode)`): a development token, a browser session
 * of a built-in account (cookie and CSRF token) and a machine token, so each grant boundary holds for each.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode, totpStep } from '../../api/totp';
import { buildApp } from '../../api/app';
import { ensureSigningKey } from '../../api/machine-tokens';
import { signToken, USER_ROLES, type UserRole } from '../../api/auth';
import { COMMAND_EXAMPLES } from '../../api/examples';
import { COMMAND_DOCS, kebabOf, type CaseCommandType } from '../../api/routes/commands';
import { createLogger } from '../../config/logger';
import { addDays, addMonths, localDate, ruleSetInForce } from '../../domain';
import { createTestAccount, sessionHeaders, signIn } from '../support/accounts';
import { openTodaysRound } from '../support/rounds';
import { startHarness, type Harness } from './harness';

const PROVINCE = '31';
const COMMUNE = '10507';
const SUBJECT = 'HTX-MATRIX';
/** Another province (Hưng Yên) and one of its communes (Phường Phố Hiến): units of the current map. */
const OTHER = { province: '33', commune: '11953', subject: 'HTX-MATRIX-OTHER' };
const secret = 'matrix-secret-matrix-secret-matrix-0123';

type Side = 'own' | 'other';
/** The user who acts in a setup step. */
type Actor = 'subject' | 'commune' | 'province' | 'ministry' | 'council';

export type CredentialMode = 'dev token' | 'session' | 'machine token';

/** A caller of the matrix: the user id its requests act under, and the headers of a read or a write. */
interface Caller {
  sub: string;
  headers(write: boolean): Record<string, string>;
}

function jurisdictionOf(role: UserRole, side: Side): { sub: string; jurisdiction: string } {
  const own = side === 'own';
  switch (role) {
    case 'subject':
      return own ? { sub: SUBJECT, jurisdiction: SUBJECT } : { sub: OTHER.subject, jurisdiction: OTHER.subject };
    case 'commune_officer':
      return { sub: `mx-commune-${side}`, jurisdiction: own ? COMMUNE : OTHER.commune };
    case 'provincial_office':
    case 'council_member':
    case 'auditor':
      return { sub: `mx-${role}-${side}`, jurisdiction: own ? PROVINCE : OTHER.province };
    case 'ministry':
      return { sub: `mx-ministry`, jurisdiction: 'MINISTRY' };
    case 'admin':
      return { sub: `mx-admin`, jurisdiction: 'VN' };
  }
}

const ACTOR_ROLE: Record<Actor, UserRole> = {
  subject: 'subject',
  commune: 'commune_officer',
  province: 'provincial_office',
  ministry: 'ministry',
  council: 'council_member',
};
/** Whether a role of this side sees the case at all. */
const visible = (role: UserRole, side: Side) => side === 'own' || role === 'ministry' || role === 'admin';

const idea = {
  subjectId: SUBJECT,
  subjectName: 'HTX Ma trận',
  productName: 'Mật ong bạc hà',
  productSetCode: 'honey-other-raw-foods',
  provinceCode: PROVINCE,
  communeCode: COMMUNE,
};

type Step = [CaseCommandType, Actor, object?];
/** Today in Vietnam: a revocation concluded today is not yet overdue, so no deadline fires during the test. */
const TODAY = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
const PROPOSAL = { ...COMMAND_EXAMPLES.ProposeRevocation, concludedOn: TODAY };
const FIVE_STAR = { ...COMMAND_EXAMPLES.RecordCouncilResult, averageScore: 92, star: 5 };
const TO_CERTIFIED: Step[] = [
  ['AcceptIdea', 'commune'],
  ['SubmitBusinessPlan', 'subject'],
  ['ApproveBusinessPlan', 'commune'],
  ['SubmitDossier', 'subject'],
  ['AssessDossierAtCommune', 'commune'],
  ['ForwardDossierToProvince', 'commune'],
  ['AssignToProvincialRound', 'province'],
  ['RecordCouncilResult', 'province'],
  ['DecideRecognition', 'province'],
  ['IssueCertificate', 'province'],
];
const upTo = (n: number, ...more: Step[]): Step[] => [...TO_CERTIFIED.slice(0, n), ...more];

/** Nationwide roles (the Ministry, admins) have no "other" jurisdiction: they are tried once. */
const NATIONWIDE: readonly UserRole[] = ['ministry', 'admin'];
const pairs = USER_ROLES.flatMap((role) =>
  (NATIONWIDE.includes(role) ? (['own'] as const) : (['own', 'other'] as const)).map((side) => ({ role, side })),
);

/**
 * The callers of a mode. A development token names its user itself. A session belongs to a built-in account with
 * the one grant (role × jurisdiction), signed in with its password (and, for an admin, a confirmed TOTP code): its
 * user is the account. A machine token is issued by an admin to a machine account with the one grant; a machine
 * holds no admin grant, so in that mode the admin is a person's session.
 */
async function callersOf(mode: CredentialMode, app: App, h: Harness, run: string): Promise<Map<string, Caller>> {
  const callers = new Map<string, Caller>();
  // Machine tokens are issued by a nationwide admin (a development token here: issuing is tested on its own).
  const issuer = signToken(secret, { role: 'admin', sub: `mx-issuer-${run}`, jurisdiction: 'VN' });
  if (mode === 'machine token') await ensureSigningKey(h.sql);
  for (const { role, side } of pairs) {
    const { sub, jurisdiction } = jurisdictionOf(role, side);
    if (mode === 'dev token') {
      const bearer = `Bearer ${await signToken(secret, { role, sub, jurisdiction })}`;
      callers.set(`${role}/${side}`, { sub, headers: () => ({ authorization: bearer }) });
      continue;
    }
    const machine = mode === 'machine token' && role !== 'admin';
    const account = await createTestAccount(h.sql, {
      username: `${sub}-${run}`.toLowerCase(),
      grants: [{ role, jurisdiction }],
      kind: machine ? 'machine' : 'person',
    });
    if (machine) {
      const issued = await app.inject({
        method: 'POST',
        url: `/accounts/${account.accountId}/machine-tokens`,
        headers: { authorization: `Bearer ${await issuer}`, 'idempotency-key': `mx-issue-${account.accountId}` },
        payload: { grantId: account.grantIds[0], label: 'ma trận quyền / role matrix', lifetimeSeconds: 3600 },
      });
      expect(issued.statusCode, issued.body).toBe(201);
      const bearer = `Bearer ${issued.json<{ token: string }>().token}`;
      callers.set(`${role}/${side}`, { sub: account.accountId, headers: () => ({ authorization: bearer }) });
      continue;
    }
    const session = await signIn(app, { username: account.username, password: account.password });
    if (role === 'admin') await confirmTotp(app, session);
    callers.set(`${role}/${side}`, { sub: account.accountId, headers: (write) => sessionHeaders(session, write) });
  }
  return callers;
}

/** Enrols a TOTP key in a session and confirms it with the current code: the session has passed a second factor. */
async function confirmTotp(app: App, session: Awaited<ReturnType<typeof signIn>>) {
  const enrol = await app.inject({ method: 'POST', url: '/auth/totp/enrol', headers: sessionHeaders(session, true) });
  expect(enrol.statusCode, enrol.body).toBe(200);
  const confirmed = await app.inject({
    method: 'POST',
    url: '/auth/totp/confirm',
    headers: sessionHeaders(session, true),
    payload: { code: totpCode(enrol.json<{ secret: string }>().secret, totpStep(Date.now())) },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
}

type App = Awaited<ReturnType<typeof buildApp>>;

/** The whole matrix, its callers signed in by `mode`. */
export function roleMatrix(mode: CredentialMode) {
  let h: Harness;
  let app: App;
  let callers = new Map<string, Caller>();
  let keys = 0;
  const run = Date.now().toString(36);
  const caller = (role: UserRole, side: Side) => callers.get(`${role}/${side}`)!;

  beforeAll(async () => {
    h = await startHarness(`api-matrix-${mode.replace(' ', '-')}`);
    app = await buildApp({
      sql: h.sql,
      temporal: h.client,
      taskQueue: h.taskQueue,
      jwtSecret: secret,
      log: createLogger('silent'),
      rateLimit: 100_000,
      loginRateLimit: 100_000,
      auditSigningKey: generateKeyPairSync('ed25519').privateKey,
    });
    callers = await callersOf(mode, app, h, run);
    // The round is the setting of every test, not under test: opened with a development token of the province.
    const office = await signToken(secret, {
      role: 'provincial_office',
      sub: `mx-round-${run}`,
      jurisdiction: PROVINCE,
    });
    await openTodaysRound(app, office, PROVINCE);
  });
  afterAll(async () => {
    await app?.close();
    await h?.stop();
  });

  const key = () => `matrix-${run}-${(keys += 1)}`;

  function post(url: string, who: Caller, payload: object) {
    return app.inject({
      method: 'POST',
      url,
      headers: { ...who.headers(true), 'idempotency-key': key() },
      payload,
    });
  }
  const get = (url: string, who: Caller) => app.inject({ method: 'GET', url, headers: who.headers(false) });

  /** A council whose chair is the own-side council member, with one more member: a quorum of one. */
  const COUNCIL = {
    ...COMMAND_EXAMPLES.ConveneCouncil,
    get members() {
      return [
        { memberId: caller('council_member', 'own').sub, role: 'chair' },
        { memberId: 'mx-council-second', role: 'member' },
      ];
    },
    quorum: 1,
  };

  const WRITES: { [K in CaseCommandType]: { setup: Step[]; allowed: UserRole[]; body?: object } } = {
    AcceptIdea: { setup: [], allowed: ['commune_officer'] },
    ReturnIdea: { setup: [], allowed: ['commune_officer'] },
    ReviseIdea: { setup: [['ReturnIdea', 'commune']], allowed: ['subject'] },
    SubmitBusinessPlan: { setup: upTo(1), allowed: ['subject'] },
    ApproveBusinessPlan: { setup: upTo(2), allowed: ['commune_officer'] },
    ReturnBusinessPlan: { setup: upTo(2), allowed: ['commune_officer'] },
    SubmitDossier: { setup: upTo(3), allowed: ['subject'] },
    ReturnDossierForCompletion: { setup: upTo(4), allowed: ['commune_officer'] },
    CompleteDossier: { setup: upTo(4, ['ReturnDossierForCompletion', 'commune']), allowed: ['subject'] },
    AssessDossierAtCommune: { setup: upTo(4), allowed: ['commune_officer'] },
    ForwardDossierToProvince: { setup: upTo(5), allowed: ['commune_officer'] },
    AssignToProvincialRound: { setup: upTo(6), allowed: ['provincial_office'] },
    RequestMoreEvidence: { setup: upTo(7), allowed: ['provincial_office'] },
    SubmitEvidence: { setup: upTo(7, ['RequestMoreEvidence', 'province']), allowed: ['subject'] },
    RecordSiteVisit: { setup: upTo(7), allowed: ['provincial_office'] },
    RecordLabTest: { setup: upTo(7), allowed: ['provincial_office'] },
    RecordCouncilResult: { setup: upTo(7), allowed: ['provincial_office'] },
    ConveneCouncil: { setup: upTo(7), allowed: ['provincial_office'], body: COUNCIL },
    SubmitCouncilScores: { setup: upTo(7, ['ConveneCouncil', 'province', COUNCIL]), allowed: ['council_member'] },
    CloseCouncil: {
      setup: upTo(7, ['ConveneCouncil', 'province', COUNCIL], ['SubmitCouncilScores', 'council']),
      allowed: ['council_member'],
    },
    SendToMinistry: { setup: upTo(7, ['RecordCouncilResult', 'province', FIVE_STAR]), allowed: ['provincial_office'] },
    RecordCentralCouncilResult: {
      setup: upTo(7, ['RecordCouncilResult', 'province', FIVE_STAR], ['SendToMinistry', 'province']),
      allowed: ['ministry'],
    },
    DecideRecognition: { setup: upTo(8), allowed: ['provincial_office'] },
    IssueCertificate: { setup: upTo(9), allowed: ['provincial_office'] },
    ProposeRevocation: { setup: upTo(10), allowed: ['provincial_office'], body: PROPOSAL },
    RevokeCertificate: {
      // Art. 8.3: the decision is taken on the office's proposal.
      setup: upTo(10, ['ProposeRevocation', 'province', PROPOSAL]),
      allowed: ['provincial_office'],
      body: { ...COMMAND_EXAMPLES.RevokeCertificate, concludedOn: TODAY },
    },
    DismissRevocation: { setup: upTo(10, ['ProposeRevocation', 'province', PROPOSAL]), allowed: ['provincial_office'] },
    WithdrawDossier: { setup: [], allowed: ['subject'] },
    UpdatePlaces: {
      setup: [],
      allowed: ['admin', 'provincial_office'],
      body: {
        provinceCode: PROVINCE,
        communeCode: '10525',
        reason: 'Sắp xếp đơn vị hành chính',
        override: { reason: 'Cơ sở chuyển địa điểm sản xuất' },
      },
    },
  };

  async function caseAt(setup: Step[]): Promise<string> {
    const res = await post('/products', caller('subject', 'own'), idea);
    expect(res.statusCode, res.body).toBe(201);
    const productId = res.json<{ productId: string }>().productId;
    for (const [type, actor, body] of setup) {
      const step = await post(
        `/products/${productId}/${kebabOf(type)}`,
        caller(ACTOR_ROLE[actor], 'own'),
        body ?? COMMAND_EXAMPLES[type],
      );
      expect(step.statusCode, `${type}: ${step.body}`).toBe(200);
    }
    return productId;
  }

  const versionOf = async (productId: string) =>
    (await h.sql<{ version: number }[]>`SELECT version FROM cases WHERE product_id = ${productId}`)[0]!.version;

  /** Nationwide roles (the Ministry, admins) have no "other" jurisdiction: they are tried once. */
  const NATIONWIDE: readonly UserRole[] = ['ministry', 'admin'];
  const pairs = USER_ROLES.flatMap((role) =>
    (NATIONWIDE.includes(role) ? (['own'] as const) : (['own', 'other'] as const)).map((side) => ({ role, side })),
  );

  /** Tries a write as every role and side: refusals first on one case, then each allowed role on a case of its own. */
  async function checkWrite(o: {
    url: (productId: string) => string;
    newCase: () => Promise<string>;
    allowed: readonly UserRole[];
    body: object;
  }) {
    const productId = await o.newCase();
    const before = await versionOf(productId);
    const refusals: string[] = [];
    for (const { role, side } of pairs) {
      if (side === 'own' && o.allowed.includes(role)) continue;
      const expected = !visible(role, side) ? 404 : 403;
      const res = await post(o.url(productId), caller(role, side), o.body);
      if (res.statusCode !== expected)
        refusals.push(`${role}/${side}: ${res.statusCode} (expected ${expected}) ${res.body}`);
      else expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(refusals).toEqual([]);
    expect(await versionOf(productId)).toBe(before);

    // The first success moves the case on, so each further allowed role gets a case of its own.
    for (const [i, role] of o.allowed.entries()) {
      const target = i === 0 ? productId : await o.newCase();
      const res = await post(o.url(target), caller(role, 'own'), o.body);
      expect(res.statusCode, `${role}: ${res.body}`).toBe(200);
      expect(await versionOf(target)).toBeGreaterThan(before);
    }
  }

  describe('commands on a case: role × jurisdiction', () => {
    it.each(Object.keys(COMMAND_DOCS) as CaseCommandType[])('%s', async (type) => {
      const spec = WRITES[type];
      await checkWrite({
        url: (id) => `/products/${id}/${kebabOf(type)}`,
        newCase: () => caseAt(spec.setup),
        allowed: spec.allowed,
        body: spec.body ?? COMMAND_EXAMPLES[type],
      });
    });

    const { kind: _kind, ...dossier } = COMMAND_EXAMPLES.SubmitDossier;
    it('upgrade (nâng hạng) of a 4★ product: its subject', async () => {
      await checkWrite({
        url: (id) => `/products/${id}/upgrade`,
        newCase: () => caseAt(TO_CERTIFIED),
        allowed: ['subject'],
        body: dossier,
      });
    });

    it('request-re-rating (đánh giá lại) in the window before expiry: its subject', async () => {
      let n = 0;
      // Issued under the rule-set in force then, valid 36 months: it expires in about 150 days.
      const issuedOn = addDays(addMonths(localDate(new Date().toISOString()), -36), 150);
      const expiresOn = addMonths(issuedOn, 36);
      const imported = async () => {
        const res = await post('/products/import', caller('admin', 'own'), {
          ...idea,
          productId: `MX-RR-${run}-${(n += 1)}`,
          ruleSetId: ruleSetInForce(issuedOn).id,
          certificate: { number: `GCN-RR-${run}-${n}`, star: 4, level: 'province', issuedOn, expiresOn },
        });
        expect(res.statusCode, res.body).toBe(201);
        const id = res.json<{ productId: string }>().productId;
        // The window opened 30 days ago: the workflow records that at once, after the import; wait for it so the
        // refusals below are checked against a case that no longer moves on its own.
        for (let i = 0; i < 100 && (await versionOf(id)) < 2; i++) await new Promise((r) => setTimeout(r, 100));
        expect(await versionOf(id)).toBe(2);
        return id;
      };
      await checkWrite({
        url: (id) => `/products/${id}/request-re-rating`,
        newCase: imported,
        allowed: ['subject'],
        body: dossier,
      });
    });
  });

  describe('cases opened over HTTP: role × jurisdiction', () => {
    it('POST /products: the subject itself or an officer of the commune', async () => {
      const allowed = new Set(['subject/own', 'commune_officer/own']);
      const wrong: string[] = [];
      for (const { role, side } of pairs) {
        const res = await post('/products', caller(role, side), idea);
        const expected = allowed.has(`${role}/${side}`) ? 201 : 403;
        if (res.statusCode !== expected) wrong.push(`${role}/${side}: ${res.statusCode} (expected ${expected})`);
      }
      expect(wrong).toEqual([]);
    });

    it.each([
      [
        '/products/import',
        (i: number) => ({
          ruleSetId: 'QD148_2023',
          certificate: {
            number: `GCN-MX-${run}-${i}`,
            star: 4,
            level: 'province',
            issuedOn: '2024-03-01',
            expiresOn: '2027-03-01',
          },
        }),
      ],
      [
        '/products/import-dossier',
        () => ({ dossier: { dossierRef: 'HS-GIAY', filedOn: '2026-03-02', forwardedOn: '2026-03-20' } }),
      ],
    ])('POST %s: an administrator or the office of the product’s province', async (url, extra) => {
      const allowed = new Set(['admin/own', 'provincial_office/own']);
      const wrong: string[] = [];
      for (const [i, { role, side }] of pairs.entries()) {
        const { ideaSummary: _none, ...product } = { ...idea, ideaSummary: undefined };
        const res = await post(url, caller(role, side), {
          ...product,
          productId: `MX-${url.length}-${run}-${i}`,
          ...extra(i),
        });
        const expected = allowed.has(`${role}/${side}`) ? 201 : 403;
        if (res.statusCode !== expected)
          wrong.push(`${role}/${side}: ${res.statusCode} (expected ${expected}) ${res.body}`);
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('queries: role × jurisdiction', () => {
    let productId: string;
    beforeAll(async () => {
      productId = await caseAt(TO_CERTIFIED);
    });

    it('GET /products/:id and its history: 200 where visible, 404 elsewhere', async () => {
      const wrong: string[] = [];
      for (const { role, side } of pairs) {
        for (const url of [`/products/${productId}`, `/products/${productId}/history`]) {
          const res = await get(url, caller(role, side));
          const expected = visible(role, side) ? 200 : 404;
          if (res.statusCode !== expected) wrong.push(`${role}/${side} ${url}: ${res.statusCode}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('audit routes: 200 for an auditing role where visible, 403 for other roles, 404 elsewhere', async () => {
      const auditing: readonly UserRole[] = ['auditor', 'admin', 'ministry', 'provincial_office'];
      const wrong: string[] = [];
      const at = encodeURIComponent(new Date().toISOString());
      for (const { role, side } of pairs) {
        for (const url of [
          `/products/${productId}/state?at=${at}`,
          `/products/${productId}/verification`,
          `/products/${productId}/export`,
        ]) {
          const res = await get(url, caller(role, side));
          const expected = !visible(role, side) ? 404 : auditing.includes(role) ? 200 : 403;
          if (res.statusCode !== expected)
            wrong.push(`${role}/${side} ${url}: ${res.statusCode} (expected ${expected})`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('GET /products, /certificates and /statistics list the case only where visible', async () => {
      const wrong: string[] = [];
      for (const { role, side } of pairs) {
        const headers = caller(role, side).headers(false);
        const list = await app.inject({ method: 'GET', url: `/products?province=${PROVINCE}&limit=200`, headers });
        const certificates = await app.inject({
          method: 'GET',
          url: `/certificates?province=${PROVINCE}&limit=200`,
          headers,
        });
        const stats = await app.inject({
          method: 'GET',
          url: `/statistics?province=${PROVINCE}&groupBy=province`,
          headers,
        });
        for (const res of [list, certificates, stats]) expect(res.statusCode).toBe(200);
        const listed = list.json<{ items: { productId: string }[] }>().items.some((i) => i.productId === productId);
        const certified = certificates
          .json<{ items: { productId: string }[] }>()
          .items.some((i) => i.productId === productId);
        const counted = stats.json<{ total: number }>().total > 0;
        const expected = visible(role, side);
        if (listed !== expected || certified !== expected || counted !== expected) {
          wrong.push(`${role}/${side}: listed ${listed}, certificate ${certified}, counted ${counted}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });
}
