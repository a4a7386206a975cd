import type { Sql } from '../db';
import { appendToStream, readStream, streamIdsWithPrefix, WrongExpectedVersionError } from '../db/event-store';
import { localDate, ruleSetInForce } from '../domain';
import { communesOfProvince, districtOf, officesForProvince, provinceOf, provinceOfCommune } from '../domain/places';
import {
  applyPlanEvent,
  emptyPlan,
  planIssues,
  progressLines,
  progressSentence,
  type Plan,
  type PlanActuals,
  type PlanEvent,
  type PlanLevel,
  type PlanPeriod,
  type PlanState,
  type PlanTargets,
} from '../domain/plans';
import { communeName } from '../read-models/search/queries';
import { actorOf, type Principal } from './auth';
import { idempotentId } from './commands';
import { HttpProblem } from './problems';

/*
 * Plans (kế hoạch OCOP, issue 19), end to end: a plan is a stream of its own in the event store (`plan:<level>:
 * <jurisdiction>:<from>-<to>`), hash-chained like every other, so a revision keeps the earlier plan in its history;
 * it is read by folding its stream (plans are few). Progress counts the certificates of the plan's units in its
 * period from the read models.
 */

export const planIdOf = (level: PlanLevel, jurisdiction: string, period: PlanPeriod) =>
  `plan:${level}:${jurisdiction}:${period.from}-${period.to}`;

/** The province (of either era) a plan's unit lies in, or null for a unit the map does not know. */
function provinceOfUnit(level: PlanLevel, jurisdiction: string): string | null {
  try {
    if (level === 'province') return provinceOf(jurisdiction, 'current').code;
  } catch {
    /* a former province */
  }
  try {
    if (level === 'province') return provinceOf(jurisdiction, 'legacy').code;
    if (level === 'district') return districtOf(jurisdiction).provinceCode;
    try {
      return provinceOfCommune(jurisdiction, 'current');
    } catch {
      return provinceOfCommune(jurisdiction, 'legacy');
    }
  } catch {
    return null;
  }
}

/** Whether the user may adopt or revise a plan of this unit: its own office, or an admin above it. */
export function mayManagePlan(user: Principal, level: PlanLevel, jurisdiction: string): boolean {
  const province = provinceOfUnit(level, jurisdiction);
  if (province === null) return false;
  const offices = officesForProvince(province);
  switch (user.role) {
    case 'admin':
      return user.jurisdiction === 'VN' || offices.includes(user.jurisdiction);
    case 'provincial_office':
      return offices.includes(user.jurisdiction);
    case 'commune_officer':
      return level === 'commune' && user.jurisdiction === jurisdiction;
    default:
      return false;
  }
}

/** Whether the user may read a plan of this unit (and its progress): who manages it, the Ministry and auditors. */
export function maySeePlan(user: Principal, level: PlanLevel, jurisdiction: string): boolean {
  if (mayManagePlan(user, level, jurisdiction)) return true;
  if (user.role === 'ministry') return true;
  if (user.role !== 'auditor') return false;
  const province = provinceOfUnit(level, jurisdiction);
  return user.jurisdiction === 'VN' || (province !== null && officesForProvince(province).includes(user.jurisdiction));
}

async function planNow(sql: Sql, planId: string) {
  const events = await readStream(sql, planId);
  let state: PlanState = emptyPlan();
  for (const e of events) state = applyPlanEvent(state, { type: e.type, data: e.data } as PlanEvent);
  return { state, version: events.length, commandIds: new Set(events.map((e) => e.commandId)) };
}

const notFound = (planId: string) =>
  new HttpProblem(404, 'Not Found', { detail: `Không có kế hoạch ${planId}. / No plan ${planId}.` });

/** The plan with its history, if the user may see it; 404 otherwise (as a case outside one's jurisdiction). */
export async function visiblePlan(sql: Sql, user: Principal, planId: string): Promise<PlanState & { planId: string }> {
  const { state } = await planNow(sql, planId);
  if (!state.current || !maySeePlan(user, state.current.level, state.current.jurisdiction)) throw notFound(planId);
  return { planId, ...state };
}

/** The plans the user may read, of one level, unit or year if asked, ordered by id. */
export async function listPlans(
  sql: Sql,
  user: Principal,
  filter: { level?: PlanLevel | undefined; jurisdiction?: string | undefined; year?: number | undefined },
): Promise<(PlanState & { planId: string })[]> {
  const ids = (await streamIdsWithPrefix(sql, 'plan:')).filter((id) => {
    const [, level, jurisdiction, period] = id.split(':') as [string, PlanLevel, string, string];
    const [from, to] = period.split('-').map(Number) as [number, number];
    return (
      maySeePlan(user, level, jurisdiction) &&
      (filter.level === undefined || filter.level === level) &&
      (filter.jurisdiction === undefined || filter.jurisdiction === jurisdiction) &&
      (filter.year === undefined || (from <= filter.year && filter.year <= to))
    );
  });
  return Promise.all(ids.map(async (planId) => ({ planId, ...(await planNow(sql, planId)).state })));
}

export interface PlanInput {
  level: PlanLevel;
  jurisdiction: string;
  period: PlanPeriod;
  targets: PlanTargets;
  reason?: string | undefined;
}

/**
 * Adopts (`planId` absent) or revises a plan, once per (user, Idempotency-Key): a retry answers the plan as it is.
 * 422 names the faulty field; 403 for a unit the user may see but not manage; 409 for a plan already adopted.
 */
export async function recordPlan(
  sql: Sql,
  o: { user: Principal; key: string; input: PlanInput; revise?: string },
): Promise<{ plan: PlanState & { planId: string }; created: boolean }> {
  const { level, jurisdiction, period, targets } = o.input;
  const issues = planIssues({ level, jurisdiction, period, targets });
  if (provinceOfUnit(level, jurisdiction) === null) {
    issues.push({
      field: 'jurisdiction',
      message: `không có đơn vị hành chính ${jurisdiction} ở cấp ${level}`,
      messageEn: `no ${level} ${jurisdiction} on the administrative map`,
    });
  }
  if (issues.length > 0) {
    throw new HttpProblem(422, 'Unprocessable Entity', {
      code: 'plan_invalid',
      detail: issues.map((i) => `${i.field}: ${i.message} / ${i.messageEn}`).join('; '),
      errors: issues.map((i) => ({ field: `body.${i.field}`, message: `${i.message} / ${i.messageEn}` })),
    });
  }
  const planId = o.revise ?? planIdOf(level, jurisdiction, period);
  const commandId = idempotentId('L', o.user.sub, o.key);
  for (let attempt = 1; ; attempt += 1) {
    const { state, version, commandIds } = await planNow(sql, planId);
    if (commandIds.has(commandId)) return { plan: { planId, ...state }, created: false };
    if (o.revise !== undefined) {
      if (!state.current || !maySeePlan(o.user, state.current.level, state.current.jurisdiction))
        throw notFound(planId);
      if (planIdOf(level, jurisdiction, period) !== planId) {
        throw new HttpProblem(422, 'Unprocessable Entity', {
          code: 'plan_invalid',
          detail: 'Sửa kế hoạch không đổi đơn vị và kỳ của nó. / A revision keeps the plan’s unit and period.',
          errors: [{ field: 'body.period', message: 'khác kế hoạch đang sửa / not the plan revised' }],
        });
      }
    }
    if (!mayManagePlan(o.user, level, jurisdiction)) {
      throw new HttpProblem(403, 'Forbidden', {
        detail:
          'Chỉ cơ quan của đơn vị (hoặc quản trị cấp trên) lập và sửa kế hoạch. / Only the unit’s office (or an admin above it) adopts and revises its plan.',
      });
    }
    if (o.revise === undefined && state.current) {
      throw new HttpProblem(409, 'Conflict', {
        code: 'plan_exists',
        detail: `Kế hoạch ${planId} đã được ban hành; sửa bằng PUT /plans/{planId}. / Plan ${planId} is adopted already; revise it with PUT.`,
      });
    }
    const now = new Date().toISOString();
    const plan: Plan = { planId, level, jurisdiction, period, targets };
    const event: PlanEvent =
      o.revise === undefined
        ? { type: 'PlanAdopted', data: { ...plan, adoptedBy: o.user.sub, on: now } }
        : { type: 'PlanRevised', data: { ...plan, revisedBy: o.user.sub, on: now, reason: o.input.reason } };
    try {
      await appendToStream(sql, {
        streamId: planId,
        commandId,
        expectedVersion: version,
        actor: actorOf(o.user),
        occurredAt: now,
        ruleSetId: ruleSetInForce(localDate(now)).id,
        events: [JSON.parse(JSON.stringify(event)) as PlanEvent],
      });
      const after = await planNow(sql, planId);
      return { plan: { planId, ...after.state }, created: o.revise === undefined };
    } catch (err) {
      if (!(err instanceof WrongExpectedVersionError) || attempt >= 3) throw err;
    }
  }
}

/** The communes a plan counts: its commune, its province's communes, or (before 2025) its district's. */
function communesOf(level: PlanLevel, jurisdiction: string): { code: string; name: string }[] {
  if (level === 'commune') return [{ code: jurisdiction, name: communeName(jurisdiction) ?? jurisdiction }];
  if (level === 'district') {
    const d = districtOf(jurisdiction);
    return communesOfProvince(d.provinceCode, 'legacy')
      .filter((c) => c.districtCode === jurisdiction)
      .map((c) => ({ code: c.code, name: c.name }));
  }
  const era = (() => {
    try {
      provinceOf(jurisdiction, 'current');
      return 'current' as const;
    } catch {
      return 'legacy' as const;
    }
  })();
  return communesOfProvince(jurisdiction, era).map((c) => ({ code: c.code, name: c.name }));
}

/** What the plan's units achieved in its period, from the certificates and the case events. */
async function actualsOf(sql: Sql, plan: Plan) {
  const start = `${plan.period.from}-01-01`;
  const end = `${plan.period.to}-12-31`;
  const communes = communesOf(plan.level, plan.jurisdiction);
  const unit =
    plan.level === 'province'
      ? sql`k.province_code = ${plan.jurisdiction}`
      : sql`k.commune_code IN ${sql(communes.length > 0 ? communes.map((c) => c.code) : [''])}`;
  const [row] = await sql<
    {
      s3: number;
      s4: number;
      s5: number;
      upgrades: number;
      renewals: number;
      total: number;
      central: number;
    }[]
  >`
    SELECT
      count(*) FILTER (WHERE c.term_no = 1 AND c.issued_on BETWEEN ${start} AND ${end} AND c.star = 3)::int AS s3,
      count(*) FILTER (WHERE c.term_no = 1 AND c.issued_on BETWEEN ${start} AND ${end} AND c.star = 4)::int AS s4,
      count(*) FILTER (WHERE c.term_no = 1 AND c.issued_on BETWEEN ${start} AND ${end} AND c.star = 5)::int AS s5,
      count(*) FILTER (WHERE c.term_no > 1 AND c.issued_on BETWEEN ${start} AND ${end} AND c.star > p.star)::int AS upgrades,
      count(*) FILTER (WHERE c.term_no > 1 AND c.issued_on BETWEEN ${start} AND ${end} AND c.star <= p.star)::int AS renewals,
      count(DISTINCT c.product_id) FILTER (WHERE c.issued_on <= ${end}
        AND coalesce(c.extended_until, c.expires_on) >= ${end}
        AND (c.ended_on IS NULL OR c.ended_on > ${end}))::int AS total,
      (SELECT count(*) FROM events e JOIN cases k ON k.product_id = e.stream_id
        WHERE e.type = 'SentToMinistry' AND ${unit}
          AND (e.occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN ${start} AND ${end})::int AS central
    FROM certificates c
    JOIN cases k ON k.product_id = c.product_id
    LEFT JOIN certificates p ON p.product_id = c.product_id AND p.term_no = c.term_no - 1
    WHERE ${unit}`;
  const covered = await sql<{ commune_code: string }[]>`
    SELECT DISTINCT k.commune_code FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE ${unit} AND c.issued_on <= ${end} AND coalesce(c.extended_until, c.expires_on) >= ${end}
      AND (c.ended_on IS NULL OR c.ended_on > ${end})`;
  const coveredCodes = new Set(covered.map((r) => r.commune_code));
  // The subjects holding a 3★+ product in force at the period's end, by their facts as last stated.
  const [subjects] = await sql<{ total: number; cooperatives: number; smes: number }[]>`
    SELECT count(DISTINCT k.subject_id)::int AS total,
      count(DISTINCT k.subject_id) FILTER (WHERE k.subject_legal_form = 'cooperative')::int AS cooperatives,
      count(DISTINCT k.subject_id) FILTER (WHERE k.subject_sme)::int AS smes
    FROM certificates c JOIN cases k ON k.product_id = c.product_id
    WHERE ${unit} AND c.issued_on <= ${end} AND coalesce(c.extended_until, c.expires_on) >= ${end}
      AND (c.ended_on IS NULL OR c.ended_on > ${end})`;
  const actuals: PlanActuals = {
    recognisedByStar: { 3: row!.s3, 4: row!.s4, 5: row!.s5 },
    recognisedTotal: row!.total,
    dossiersCentral: row!.central,
    communesCovered: communes.filter((c) => coveredCodes.has(c.code)).length,
    upgrades: row!.upgrades,
    renewals: row!.renewals,
    subjects: subjects!,
  };
  return { actuals, uncovered: communes.filter((c) => !coveredCodes.has(c.code)) };
}

/** A plan's progress: each target against what was achieved, the summary sentence, the communes still uncovered. */
export async function planProgress(sql: Sql, user: Principal, planId: string) {
  return progressOfPlan(sql, (await visiblePlan(sql, user, planId)).current!);
}

/** The progress of a plan for the system (the yearly programme's reports), or null when no such plan was adopted. */
export async function planProgressOf(sql: Sql, planId: string) {
  const { state } = await planNow(sql, planId);
  return state.current ? progressOfPlan(sql, state.current) : null;
}

async function progressOfPlan(sql: Sql, plan: Plan) {
  const planId = plan.planId;
  const { actuals, uncovered } = await actualsOf(sql, plan);
  return {
    planId,
    period: plan.period,
    lines: progressLines(plan.targets, actuals),
    sentence: progressSentence(plan, actuals),
    communesWithoutProduct: uncovered,
    /** The certificates behind the figures, as a list the caller can open. */
    casesUrl: `/certificates?${plan.level === 'province' ? `province=${plan.jurisdiction}` : `commune=${plan.jurisdiction}`}`,
  };
}
