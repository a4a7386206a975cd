import { describe, expect, it } from 'vitest';
import {
  applyPlanEvent,
  emptyPlan,
  planIssues,
  progressLines,
  progressSentence,
  type Plan,
  type PlanActuals,
} from '../../domain/plans';

const plan: Plan = {
  planId: 'PL-19-2026',
  level: 'province',
  jurisdiction: '19',
  period: { from: 2026, to: 2026 },
  targets: { recognisedNew: 15, byStar: { 4: 3, 3: 12 }, communesCovered: 40 },
};
const actuals: PlanActuals = {
  recognisedByStar: { 3: 13, 4: 4, 5: 0 },
  recognisedTotal: 60,
  dossiersCentral: 2,
  communesCovered: 31,
  upgrades: 1,
  renewals: 0,
  subjects: { total: 50, cooperatives: 21, smes: 9 },
};

describe('plans (pure)', () => {
  it('writes the summary sentence with the percentage against the plan', () => {
    expect(progressSentence(plan, actuals)).toBe(
      'Năm 2026 công nhận 17 sản phẩm, 4 sản phẩm 4 sao và 13 sản phẩm 3 sao, đạt 113% so với kế hoạch',
    );
    const phase = { period: { from: 2021, to: 2025 }, targets: { byStar: { 5: 1, 4: 4 } } };
    expect(progressSentence(phase, { ...actuals, recognisedByStar: { 3: 0, 4: 2, 5: 1 } })).toBe(
      'Giai đoạn 2021–2025 công nhận 3 sản phẩm, 1 sản phẩm 5 sao và 2 sản phẩm 4 sao, đạt 60% so với kế hoạch',
    );
    expect(
      progressSentence({ ...plan, targets: { upgrades: 2 } }, { ...actuals, recognisedByStar: { 3: 1, 4: 0, 5: 0 } }),
    ).toBe('Năm 2026 công nhận 1 sản phẩm, 1 sản phẩm 3 sao');
  });

  it('lists each target against the actual figure, with its percentage', () => {
    expect(progressLines(plan.targets, actuals)).toEqual([
      expect.objectContaining({ measure: 'recognisedNew', target: 15, actual: 17, percent: 113 }),
      expect.objectContaining({ measure: 'byStar.4', target: 3, actual: 4, percent: 133 }),
      expect.objectContaining({ measure: 'byStar.3', target: 12, actual: 13, percent: 108 }),
      expect.objectContaining({ measure: 'communesCovered', target: 40, actual: 31, percent: 78 }),
    ]);
    expect(progressLines({ upgrades: 0 }, actuals)[0]?.percent).toBeNull();
  });

  it('counts the shares of cooperatives and SMEs among the subjects in percent, against a target in percent', () => {
    // 21 of 50 subjects are cooperatives (42%), against a target of 40%: 105% of plan; 9 of 50 SMEs (18%) of 30%.
    expect(progressLines({ cooperativeShare: 40, smeShare: 30 }, actuals)).toEqual([
      expect.objectContaining({ measure: 'cooperativeShare', target: 40, actual: 42, percent: 105 }),
      expect.objectContaining({ measure: 'smeShare', target: 30, actual: 18, percent: 60 }),
    ]);
    const none = { ...actuals, subjects: { total: 0, cooperatives: 0, smes: 0 } };
    expect(progressLines({ cooperativeShare: 40 }, none)[0]).toMatchObject({ actual: 0, percent: 0 });
    const { planId: _, ...rest } = plan;
    expect(planIssues({ ...rest, targets: { smeShare: 101 } }).map((i) => i.field)).toEqual(['targets.smeShare']);
  });

  it('refuses a district plan from 2025, a phase over 5 years, negative targets and a plan without one', () => {
    const { planId: _, ...rest } = plan;
    expect(planIssues(rest)).toEqual([]);
    expect(planIssues({ ...rest, level: 'district', period: { from: 2025, to: 2025 } }).map((i) => i.field)).toEqual([
      'level',
    ]);
    expect(planIssues({ ...rest, level: 'district', period: { from: 2021, to: 2024 } })).toEqual([]);
    expect(planIssues({ ...rest, period: { from: 2021, to: 2026 } }).map((i) => i.field)).toEqual(['period']);
    expect(planIssues({ ...rest, period: { from: 2026, to: 2025 } }).map((i) => i.field)).toEqual(['period']);
    expect(planIssues({ ...rest, targets: { renewals: -1 } }).map((i) => i.field)).toEqual(['targets.renewals']);
    expect(planIssues({ ...rest, targets: {} }).map((i) => i.field)).toEqual(['targets']);
  });

  it('keeps the earlier plan in the history when revised', () => {
    const adopted = applyPlanEvent(emptyPlan(), {
      type: 'PlanAdopted',
      data: { ...plan, adoptedBy: 'office-19', on: '2026-01-10' },
    });
    const revised = applyPlanEvent(adopted, {
      type: 'PlanRevised',
      data: { ...plan, targets: { recognisedNew: 20 }, revisedBy: 'office-19', on: '2026-06-01', reason: 'giữa kỳ' },
    });
    expect(revised.current?.targets).toEqual({ recognisedNew: 20 });
    expect(revised.versions.map((v) => [v.kind, v.plan.targets.recognisedNew])).toEqual([
      ['adopted', 15],
      ['revised', 20],
    ]);
  });
});
