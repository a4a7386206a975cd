import { describe, expect, it } from 'vitest';
import { roundIdOf, type CommandMeta, type Round } from '../../../domain';
import { at, cmd, PROVINCE, provincialOffice, storyTo } from './fixtures';
import { given } from './given';

/*
 * An assignment to a provincial round, with the province's rounds as the API read them (round-gate-v1): the round
 * must be open and the dossier forwarded before its cut-off; a council convened without members is its round's.
 * The sample dossier reached the province on 2026-08-11, so it falls in round 2 of 2026 (cut-off 30/10).
 */

const council = [
  { memberId: 'user-council', role: 'chair' as const },
  { memberId: 'user-council-2', role: 'member' as const },
  { memberId: 'user-secretary', role: 'secretary' as const },
];
function round(year: number, n: 1 | 2, over: Partial<Round> = {}): Round {
  const [cutOff, decideBy] = n === 1 ? ['04-30', '06-30'] : ['10-30', '12-30'];
  return {
    roundId: roundIdOf(PROVINCE, year, n),
    provinceCode: PROVINCE,
    year,
    round: n,
    cutOff: `${year}-${cutOff}`,
    decideBy: `${year}-${decideBy}`,
    status: 'open',
    council,
    openedAt: at('2026-01-05'),
    closedAt: null,
    ...over,
  };
}
const withRounds = (rounds: Round[]): CommandMeta => ({ now: at('2026-08-12'), actor: provincialOffice, rounds });
const forwarded = () => storyTo('forwarded').events;

describe('assigning a dossier to a provincial round', () => {
  it('joins the open round its forwarding date falls in, named in the event', () => {
    const [event] = given(forwarded())
      .when(cmd.assignRound(), withRounds([round(2026, 2)]))
      .thenTypes(['AssignedToRound']);
    expect(event!.data).toMatchObject({
      roundId: roundIdOf(PROVINCE, 2026, 2),
      round: 2,
      year: 2026,
      cutOff: '2026-10-30',
      decideBy: '2026-12-29',
    });
  });

  it('is refused while the province has not opened that round, or after it closed', () => {
    given(forwarded())
      .when(cmd.assignRound(), withRounds([]))
      .thenRejects('round_not_found', /round 2 of 2026/);
    const closed = round(2026, 2, { status: 'closed', closedAt: at('2026-08-01') });
    given(forwarded())
      .when(cmd.assignRound(), withRounds([closed]))
      .thenRejects('round_closed');
  });

  it('may join a later open round, never one whose cut-off the forwarding date reached', () => {
    const named = (y: number, n: 1 | 2) => ({
      type: 'AssignToProvincialRound' as const,
      data: { roundId: roundIdOf(PROVINCE, y, n) },
    });
    const rounds = [round(2026, 1), round(2026, 2), round(2027, 1)];
    const [later] = given(forwarded()).when(named(2027, 1), withRounds(rounds)).thenTypes(['AssignedToRound']);
    expect(later!.data).toMatchObject({ year: 2027, round: 1, decideBy: '2027-06-29' });
    given(forwarded())
      .when(named(2026, 1), withRounds(rounds))
      .thenRejects('past_cut_off', /2026-04-30/);
  });

  it('refuses another province’s round', () => {
    const cmd79 = { type: 'AssignToProvincialRound' as const, data: { roundId: roundIdOf('79', 2026, 2) } };
    given(forwarded())
      .when(cmd79, withRounds([round(2026, 2)]))
      .thenRejects('round_of_other_province');
  });
});

describe('a council convened without members', () => {
  const assigned = () => {
    const s = storyTo('forwarded');
    s.events.push(
      ...given(s.events)
        .when(cmd.assignRound(), withRounds([round(2026, 2)]))
        .thenTypes(['AssignedToRound']),
    );
    return s.events;
  };
  const convene = { type: 'ConveneCouncil' as const, data: { sheetCode: 'tea' } };

  it('sits as the council its round was opened with', () => {
    const [event] = given(assigned())
      .when(convene, withRounds([round(2026, 2)]))
      .thenTypes(['CouncilConvened']);
    expect(event!.data).toMatchObject({ members: council, quorum: 2 });
  });

  it('is refused when the round is not known, naming the members field', () => {
    given(assigned())
      .when(convene, withRounds([]))
      .thenRejects('invalid', /^members:/);
  });
});
