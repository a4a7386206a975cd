/*
 * Plans (kế hoạch OCOP, issue 19), pure: a plan per jurisdiction and period with its targets, the events that record
 * it (a revision keeps the earlier plan in the stream's history), and progress: actual figures against the targets,
 * with the percentage and a Vietnamese summary sentence. Reading the actual figures is the read side's.
 */

export type PlanLevel = 'province' | 'commune' | 'district';

/** A year (`from === to`) or a phase such as 2021–2025. */
export interface PlanPeriod {
  from: number;
  to: number;
}

export interface PlanTargets {
  /** Products newly recognised 3★ or more in the period. */
  recognisedNew?: number | undefined;
  /** Products holding a valid 3★+ certificate at the period's end. */
  recognisedTotal?: number | undefined;
  /** Newly recognised, by star. */
  byStar?: { 3?: number | undefined; 4?: number | undefined; 5?: number | undefined } | undefined;
  /** Dossiers sent on for 4★/5★ (central) evaluation. */
  dossiersCentral?: number | undefined;
  /** Communes with at least one 3★+ product. */
  communesCovered?: number | undefined;
  upgrades?: number | undefined;
  renewals?: number | undefined;
  /** Percent of the subjects holding a 3★+ product at the period's end that are cooperatives (hợp tác xã). */
  cooperativeShare?: number | undefined;
  /** Percent of those subjects that are small or medium enterprises (doanh nghiệp nhỏ và vừa). */
  smeShare?: number | undefined;
}

export interface Plan {
  planId: string;
  level: PlanLevel;
  /** The province, commune or (before 2025) district code. */
  jurisdiction: string;
  period: PlanPeriod;
  targets: PlanTargets;
}

export type PlanEvent =
  | { type: 'PlanAdopted'; data: Plan & { adoptedBy: string; on: string } }
  | { type: 'PlanRevised'; data: Plan & { revisedBy: string; on: string; reason?: string | undefined } };

/** Why a plan is refused, naming the field, in Vietnamese and English. */
export interface PlanIssue {
  field: string;
  message: string;
  messageEn: string;
}

/** The faults of a plan: an empty list when it is sound. */
export function planIssues(plan: Omit<Plan, 'planId'>): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const { from, to } = plan.period;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 2018 || to > 2100 || from > to) {
    issues.push({
      field: 'period',
      message: 'kỳ kế hoạch phải là một năm hoặc giai đoạn từ năm 2018, năm đầu không sau năm cuối',
      messageEn: 'the period must be a year or a phase from 2018, its first year not after its last',
    });
  } else if (to - from > 4) {
    issues.push({
      field: 'period',
      message: 'giai đoạn kế hoạch dài nhất 5 năm',
      messageEn: 'a phase lasts at most 5 years',
    });
  }
  if (plan.level === 'district' && to >= 2025) {
    issues.push({
      field: 'level',
      message: 'kế hoạch cấp huyện chỉ cho các năm trước 2025 (không còn cấp huyện từ 01/07/2025)',
      messageEn: 'district plans are for years before 2025 only (no districts from 01/07/2025)',
    });
  }
  const t = plan.targets;
  const numbers: [string, number | undefined][] = [
    ['recognisedNew', t.recognisedNew],
    ['recognisedTotal', t.recognisedTotal],
    ['byStar.3', t.byStar?.[3]],
    ['byStar.4', t.byStar?.[4]],
    ['byStar.5', t.byStar?.[5]],
    ['dossiersCentral', t.dossiersCentral],
    ['communesCovered', t.communesCovered],
    ['upgrades', t.upgrades],
    ['renewals', t.renewals],
    ['cooperativeShare', t.cooperativeShare],
    ['smeShare', t.smeShare],
  ];
  for (const [field, n] of numbers) {
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
      issues.push({
        field: `targets.${field}`,
        message: 'chỉ tiêu phải là số nguyên không âm',
        messageEn: 'a target is a whole number, not negative',
      });
    } else if (n !== undefined && field.endsWith('Share') && n > 100) {
      issues.push({
        field: `targets.${field}`,
        message: 'chỉ tiêu tỉ lệ tính theo phần trăm, từ 0 đến 100',
        messageEn: 'a share is a percentage, from 0 to 100',
      });
    }
  }
  if (numbers.every(([, n]) => n === undefined)) {
    issues.push({ field: 'targets', message: 'kế hoạch cần ít nhất một chỉ tiêu', messageEn: 'a plan needs a target' });
  }
  return issues;
}

/** A plan's stream folded: the plan in force and every earlier version, oldest first. */
export interface PlanState {
  current: Plan | null;
  versions: { plan: Plan; by: string; on: string; kind: 'adopted' | 'revised'; reason?: string | undefined }[];
}

export const emptyPlan = (): PlanState => ({ current: null, versions: [] });

export function applyPlanEvent(state: PlanState, event: PlanEvent): PlanState {
  const { planId, level, jurisdiction, period, targets } = event.data;
  const plan: Plan = { planId, level, jurisdiction, period, targets };
  if (event.type === 'PlanAdopted') {
    return {
      current: plan,
      versions: [...state.versions, { plan, by: event.data.adoptedBy, on: event.data.on, kind: 'adopted' }],
    };
  }
  return {
    current: plan,
    versions: [
      ...state.versions,
      { plan, by: event.data.revisedBy, on: event.data.on, kind: 'revised', reason: event.data.reason },
    ],
  };
}

/** What was achieved in a plan's jurisdiction and period. */
export interface PlanActuals {
  /** Newly recognised 3★+ in the period, by star. */
  recognisedByStar: { 3: number; 4: number; 5: number };
  recognisedTotal: number;
  dossiersCentral: number;
  communesCovered: number;
  upgrades: number;
  renewals: number;
  /** Subjects holding a 3★+ product at the period's end, and how many of them are cooperatives and SMEs. */
  subjects: { total: number; cooperatives: number; smes: number };
}

export type ProgressMeasure =
  | 'recognisedNew'
  | 'recognisedTotal'
  | 'byStar.3'
  | 'byStar.4'
  | 'byStar.5'
  | 'dossiersCentral'
  | 'communesCovered'
  | 'upgrades'
  | 'renewals'
  | 'cooperativeShare'
  | 'smeShare';

export interface ProgressLine {
  measure: ProgressMeasure;
  /** Vietnamese heading. */
  label: string;
  target: number;
  actual: number;
  /** actual / target, in whole percent (null for a target of 0). */
  percent: number | null;
}

const LABELS: Record<ProgressMeasure, string> = {
  recognisedNew: 'Sản phẩm được công nhận mới (3 sao trở lên)',
  recognisedTotal: 'Tổng số sản phẩm đạt 3 sao trở lên còn hiệu lực',
  'byStar.3': 'Sản phẩm 3 sao được công nhận mới',
  'byStar.4': 'Sản phẩm 4 sao được công nhận mới',
  'byStar.5': 'Sản phẩm 5 sao được công nhận mới',
  dossiersCentral: 'Hồ sơ gửi đánh giá 4–5 sao',
  communesCovered: 'Xã có ít nhất một sản phẩm 3 sao trở lên',
  upgrades: 'Sản phẩm nâng hạng sao',
  renewals: 'Sản phẩm được cấp lại khi hết hạn',
  cooperativeShare: 'Tỉ lệ chủ thể là hợp tác xã (%)',
  smeShare: 'Tỉ lệ chủ thể là doanh nghiệp nhỏ và vừa (%)',
};

/** A part of a whole in whole percent (0 of nothing is 0%). */
const shareOf = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 100) : 0);

export const percentOf = (actual: number, target: number): number | null =>
  target > 0 ? Math.round((actual / target) * 100) : null;

/** Every target of the plan against what was achieved, in a fixed order. */
export function progressLines(targets: PlanTargets, a: PlanActuals): ProgressLine[] {
  const newTotal = a.recognisedByStar[3] + a.recognisedByStar[4] + a.recognisedByStar[5];
  const pairs: [ProgressMeasure, number | undefined, number][] = [
    ['recognisedNew', targets.recognisedNew, newTotal],
    ['byStar.5', targets.byStar?.[5], a.recognisedByStar[5]],
    ['byStar.4', targets.byStar?.[4], a.recognisedByStar[4]],
    ['byStar.3', targets.byStar?.[3], a.recognisedByStar[3]],
    ['recognisedTotal', targets.recognisedTotal, a.recognisedTotal],
    ['dossiersCentral', targets.dossiersCentral, a.dossiersCentral],
    ['communesCovered', targets.communesCovered, a.communesCovered],
    ['upgrades', targets.upgrades, a.upgrades],
    ['renewals', targets.renewals, a.renewals],
    ['cooperativeShare', targets.cooperativeShare, shareOf(a.subjects.cooperatives, a.subjects.total)],
    ['smeShare', targets.smeShare, shareOf(a.subjects.smes, a.subjects.total)],
  ];
  return pairs.flatMap(([measure, target, actual]) =>
    target === undefined
      ? []
      : [{ measure, label: LABELS[measure], target, actual, percent: percentOf(actual, target) }],
  );
}

/** "Năm 2026" or "Giai đoạn 2021–2025". */
export const periodLabel = (p: PlanPeriod): string =>
  p.from === p.to ? `Năm ${p.from}` : `Giai đoạn ${p.from}–${p.to}`;

/**
 * The summary sentence: "Năm 2026 công nhận 17 sản phẩm, 4 sản phẩm 4 sao và 13 sản phẩm 3 sao, đạt 113% so với kế
 * hoạch" (the percentage against the target of new recognitions, or, without one, of the sum of the star targets).
 */
export function progressSentence(plan: Pick<Plan, 'period' | 'targets'>, a: PlanActuals): string {
  const stars = ([5, 4, 3] as const).filter((s) => a.recognisedByStar[s] > 0);
  const total = stars.reduce((n, s) => n + a.recognisedByStar[s], 0);
  const parts = stars.map((s) => `${a.recognisedByStar[s]} sản phẩm ${s} sao`);
  const detail =
    parts.length === 0
      ? ''
      : `, ${parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} và ${parts.at(-1)}`}`;
  const b = plan.targets.byStar;
  const target =
    plan.targets.recognisedNew ??
    (b && (b[3] ?? b[4] ?? b[5]) !== undefined ? (b[3] ?? 0) + (b[4] ?? 0) + (b[5] ?? 0) : undefined);
  const percent = target === undefined ? null : percentOf(total, target);
  const against = percent === null ? '' : `, đạt ${percent}% so với kế hoạch`;
  return `${periodLabel(plan.period)} công nhận ${total} sản phẩm${detail}${against}`;
}
