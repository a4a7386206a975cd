import type { CouncilSeat } from '../council';

/*
 * A provincial evaluation round (đợt đánh giá cấp tỉnh, QĐ 26/2026 art. 5.1): opened by the provincial OCOP office
 * with its council, the dossiers forwarded before its cut-off assigned to it, closed when they are decided. Each
 * round is a stream of the event store, `round:<province>:<year>:<round>`; this module is its events and its fold.
 */

export type RoundNumber = 1 | 2;

export const roundIdOf = (provinceCode: string, year: number, round: number): string =>
  `round:${provinceCode}:${year}:${round}`;

/** The parts of a round id, or null for a string that is none. */
export function parseRoundId(roundId: string): { provinceCode: string; year: number; round: RoundNumber } | null {
  const m = /^round:([\w-]{1,64}):(\d{4}):([12])$/.exec(roundId);
  return m ? { provinceCode: m[1]!, year: Number(m[2]), round: Number(m[3]) as RoundNumber } : null;
}

export type RoundEvent =
  | {
      type: 'RoundOpened';
      data: {
        provinceCode: string;
        year: number;
        round: RoundNumber;
        /** Dossiers forwarded strictly before this local date join the round. */
        cutOff: string;
        /** The round is decided before this local date. */
        decideBy: string;
        council: CouncilSeat[];
      };
    }
  | { type: 'RoundClosed'; data: { roundId: string } };
export type RoundEventType = RoundEvent['type'];
export const ROUND_EVENT_TYPES: readonly RoundEventType[] = ['RoundOpened', 'RoundClosed'];

/** What a round is after its events: what the case decider is told of it (the facts of an assignment). */
export interface Round {
  roundId: string;
  provinceCode: string;
  year: number;
  round: RoundNumber;
  cutOff: string;
  decideBy: string;
  status: 'open' | 'closed';
  council: CouncilSeat[];
  openedAt: string;
  closedAt: string | null;
}

/** A round's stream folded: none until it is opened. */
export type RoundState = { status: 'none'; roundId: string } | Round;

export const noRound = (roundId: string): RoundState => ({ status: 'none', roundId });

/** Pure: the round after one more of its events, recorded at `occurredAt`. */
export function evolveRound(state: RoundState, event: RoundEvent, occurredAt: string): RoundState {
  switch (event.type) {
    case 'RoundOpened':
      return { roundId: state.roundId, ...event.data, status: 'open', openedAt: occurredAt, closedAt: null };
    case 'RoundClosed':
      return state.status === 'none' ? state : { ...state, status: 'closed', closedAt: occurredAt };
  }
}
