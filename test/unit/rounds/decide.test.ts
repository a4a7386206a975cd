import { describe, expect, it } from 'vitest';
import {
  decideRound,
  DomainError,
  evolveRound,
  noRound,
  roundIdOf,
  type RoundCommand,
  type RoundEvent,
} from '../../../domain';
import type { Actor, RoundState } from '../../../domain';
import { at, PROVINCE, provincialOffice } from '../case/fixtures';

/* The rounds decider, given/when/then: a province opens each of its rounds once, with a council, and closes it once. */

const ROUND = roundIdOf(PROVINCE, 2027, 1);
const council = [
  { memberId: 'chair-1', role: 'chair' as const },
  { memberId: 'member-1', role: 'member' as const },
  { memberId: 'secretary-1', role: 'secretary' as const },
];
const open: RoundCommand = { type: 'OpenRound', data: { year: 2027, round: 1, council } };
const close: RoundCommand = { type: 'CloseRound', data: {} };

function given(events: readonly RoundEvent[]): RoundState {
  return events.reduce((s, e) => evolveRound(s, e, at('2026-12-01')), noRound(ROUND));
}

function refusal(state: RoundState, command: RoundCommand, actor: Actor = provincialOffice): DomainError {
  try {
    decideRound(command, state, { now: at('2026-12-07'), actor });
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

const opened: RoundEvent = {
  type: 'RoundOpened',
  data: { provinceCode: PROVINCE, year: 2027, round: 1, cutOff: '2027-04-30', decideBy: '2027-06-30', council },
};

describe('a provincial round', () => {
  it('opens with the cut-off and decision dates of the calendar in force and its council', () => {
    expect(decideRound(open, given([]), { now: at('2026-12-07'), actor: provincialOffice })).toEqual([opened]);
    expect(given([opened])).toMatchObject({ status: 'open', cutOff: '2027-04-30', council, closedAt: null });
  });

  it('opens once', () => {
    expect(refusal(given([opened]), open).code).toBe('round_already_open');
    const closed = given([opened, { type: 'RoundClosed', data: { roundId: ROUND } }]);
    expect(refusal(closed, open).code).toBe('round_already_open');
  });

  it('is opened and closed by its own province’s office only', () => {
    const other: Actor = { userId: 'u-79', role: 'provincial_office', office: '79' };
    const commune: Actor = { userId: 'u-c', role: 'commune_officer', office: PROVINCE };
    expect(refusal(given([]), open, other).code).toBe('forbidden');
    expect(refusal(given([opened]), close, commune).code).toBe('forbidden');
  });

  it('refuses a council without exactly one chair or with a member twice, naming the field', () => {
    const twoChairs = {
      ...open,
      data: { ...open.data, council: [...council, { memberId: 'x', role: 'chair' as const }] },
    };
    const err = refusal(given([]), twoChairs);
    expect(err.code).toBe('invalid');
    expect(err.issues).toEqual([
      { field: 'council', vi: 'Hội đồng có đúng một Chủ tịch.', en: 'A council has exactly one chair.' },
    ]);
    const twice = { ...open, data: { ...open.data, council: [...council, council[1]!] } };
    expect(refusal(given([]), twice as RoundCommand).issues[0]!.en).toBe('A member is listed twice.');
  });

  it('closes once; a round never opened cannot be closed', () => {
    expect(decideRound(close, given([opened]), { now: at('2027-07-01'), actor: provincialOffice })).toEqual([
      { type: 'RoundClosed', data: { roundId: ROUND } },
    ]);
    expect(refusal(given([opened, { type: 'RoundClosed', data: { roundId: ROUND } }]), close).code).toBe(
      'round_closed',
    );
    expect(refusal(given([]), close).code).toBe('round_not_found');
  });
});
