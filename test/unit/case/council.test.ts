import { describe, expect, it } from 'vitest';
import type { Actor, DomainEvent } from '../../../domain';
import { allCriteria, getSheet, scoreMemberSheet } from '../../../domain/scoring';
import { given } from './given';
import { SHEET, cmd, councilMember, meta, PROVINCE, provincialOffice, storyTo, type Story } from './fixtures';

// Online council scoring (issue 7): the province convenes the dossier's council, each member submits a sheet on the
// real score sheet, and the result is final when every scoring member has submitted or the chair closes with a
// quorum. The members' sheets are events, so the record shows who scored what.

const member = (userId: string): Actor => ({ userId, role: 'council_member', office: PROVINCE });
const chair = councilMember; // user-council chairs the default council
const second = member('user-council-2');
const third = member('user-council-3');
const secretary = member('user-secretary');
const DAY = '2026-10-01';

function convened(): Story {
  const s = storyTo('under_review');
  s.run(cmd.conveneCouncil(), DAY, provincialOffice);
  return s;
}

/** Total a member gets for choosing option `index` (clamped) of every criterion. */
function totalFor(index: (n: number) => number): number {
  const sheet = getSheet(SHEET);
  const selections = allCriteria(sheet).map((c) => ({
    criterionId: c.id,
    optionId: c.options[Math.min(index(c.options.length), c.options.length - 1)]!.id,
  }));
  return scoreMemberSheet(sheet, selections).total;
}
const best = (ids: string[]) => ids[ids.length - 1]!;
const worst = (ids: string[]) => ids[0]!;

describe('online council scoring', () => {
  it('records each sheet, and the last scoring member’s sheet makes the result final (the secretary does not score)', () => {
    const s = convened();
    const [first] = s.run(cmd.submitScores(best), DAY, chair);
    expect(first).toMatchObject({ type: 'CouncilScoresSubmitted', data: { memberId: 'user-council' } });
    s.run(cmd.submitScores(best), DAY, second);
    const events = given(s.events)
      .when(cmd.submitScores(worst), meta(DAY, third))
      .thenTypes(['CouncilScoresSubmitted', 'CouncilResultRecorded']);
    const high = totalFor((n) => n - 1);
    const low = totalFor(() => 0);
    const expected = Math.trunc(((2 * high + low) / 3) * 100) / 100;
    const result = events[1] as Extract<DomainEvent, { type: 'CouncilResultRecorded' }>;
    expect(result.data).toMatchObject({ sheetCode: SHEET, memberCount: 3, knockOut: null });
    expect(result.data.averageScore).toBeCloseTo(expected, 2);
  });

  it('refuses the secretary, a member of another council and an official of another province', () => {
    const s = convened();
    given(s.events)
      .when(cmd.submitScores(), meta(DAY, secretary))
      .thenRejects('forbidden', /secretary/);
    given(s.events)
      .when(cmd.submitScores(), meta(DAY, member('user-elsewhere')))
      .thenRejects('forbidden');
    given(s.events)
      .when(cmd.submitScores(), meta(DAY, { ...chair, office: '79' }))
      .thenRejects('forbidden');
    given(s.events).when(cmd.submitScores(), meta(DAY, provincialOffice)).thenRejects('forbidden');
  });

  it('refuses an incomplete sheet and scoring before a council is convened', () => {
    const s = convened();
    const partial = cmd.submitScores();
    const data = partial.data as { selections: unknown[] };
    given(s.events)
      .when({ ...partial, data: { selections: data.selections.slice(1) } } as typeof partial, meta(DAY, chair))
      .thenRejects('invalid');
    given(storyTo('under_review').events)
      .when(cmd.submitScores(), meta(DAY, chair))
      .thenRejects('invalid', /convened/);
  });

  it('lets only the chair close, and only with a quorum', () => {
    const s = convened();
    s.run(cmd.submitScores(best), DAY, chair);
    // Three scoring members: a quorum is two.
    given(s.events)
      .when(cmd.closeCouncil(), meta(DAY, chair))
      .thenRejects('invalid', /quorum: 1 of 2/);
    s.run(cmd.submitScores(best), DAY, second);
    given(s.events).when(cmd.closeCouncil(), meta(DAY, second)).thenRejects('forbidden', /chair/);
    const [result] = given(s.events).when(cmd.closeCouncil(), meta(DAY, chair)).thenTypes(['CouncilResultRecorded']);
    expect(result).toMatchObject({ data: { memberCount: 2, averageScore: totalFor((n) => n - 1) } });
  });

  it('rejects the dossier on a knock-out ground the council names at closing', () => {
    const s = convened();
    s.run(cmd.submitScores(best), DAY, chair);
    s.run(cmd.submitScores(best), DAY, second);
    const ground = getSheet(SHEET).knockOuts[0]!;
    const events = given(s.events)
      .when(cmd.closeCouncil([{ groundId: ground.id, finding: 'Hồ sơ giả mạo' }]), meta(DAY, chair))
      .thenTypes(['CouncilResultRecorded', 'DossierRejected']);
    expect(events.at(-1)).toMatchObject({ type: 'DossierRejected', data: { ground: ground.id } });
  });

  it('cannot change the council once members have scored', () => {
    const s = convened();
    s.run(cmd.submitScores(), DAY, chair);
    given(s.events)
      .when(cmd.conveneCouncil(), meta(DAY, provincialOffice))
      .thenRejects('invalid', /already scored/);
  });
});
