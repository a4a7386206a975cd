import {
  localDate,
  provincialRoundFor,
  provincialRoundOf,
  roundIdOf,
  ruleSetById,
  ruleSetInForce,
  type Round,
} from '../../domain';

/*
 * Rounds for tests that assign dossiers. Through the API a province opens the round a dossier forwarded today falls
 * in (`openTodaysRound`), as an office would. Tests that drive the case workflow directly, as the API does, send
 * the facts the API would read (`openRoundFacts`): they test the case, and the gate itself is tested in
 * test/unit/case/round-gate.test.ts and test/integration/api-rounds.test.ts.
 */

const COUNCIL = [
  { memberId: 'council-chair', role: 'chair' as const },
  { memberId: 'council-member', role: 'member' as const },
  { memberId: 'council-secretary', role: 'secretary' as const },
];

interface Injector {
  inject(o: { method: 'POST'; url: string; headers: Record<string, string>; payload: object }): Promise<{
    statusCode: number;
    body: string;
    json<T>(): T;
  }>;
}

/** The round (year and number) a dossier forwarded today joins under the rule-set in force. */
export function todaysRound(): { year: number; round: 1 | 2 } {
  const today = localDate(new Date().toISOString());
  const r = provincialRoundFor(today, ruleSetInForce(today));
  return { year: r.year, round: r.round };
}

/**
 * Opens, with a council, the round of the caller's province that a dossier forwarded today joins; a round already
 * open is left as it is. Answers its id.
 */
export async function openTodaysRound(
  app: Injector,
  token: string,
  provinceCode: string,
  council = COUNCIL,
): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/rounds',
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': `open-round-${Date.now()}-${Math.random()}` },
    payload: { ...todaysRound(), council },
  });
  const opened = res.statusCode === 201 || res.json<{ code?: string }>().code === 'round_already_open';
  if (!opened) throw new Error(`opening today's round failed: ${res.statusCode} ${res.body}`);
  const { year, round } = todaysRound();
  return roundIdOf(provinceCode, year, round);
}

/**
 * Every round of a province's calendar (QĐ 26/2026) from 2019 to 2040, open, as facts: what the API would send for a
 * province that opened all of them (tests of the case workflow, whose dates move with the time-skipping clock).
 */
export function openRoundFacts(provinceCode: string, council = COUNCIL): Round[] {
  const calendar = ruleSetById('QD26_2026');
  const rounds: Round[] = [];
  for (let year = 2019; year <= 2040; year += 1) {
    for (const n of [1, 2] as const) {
      const slot = provincialRoundOf(year, n, calendar)!;
      rounds.push({
        roundId: roundIdOf(provinceCode, year, n),
        provinceCode,
        year,
        round: n,
        cutOff: slot.cutOff,
        decideBy: slot.decideBy,
        status: 'open',
        council,
        openedAt: `${year}-01-02T01:00:00.000Z`,
        closedAt: null,
      });
    }
  }
  return rounds;
}

/** What the API adds to a command that concerns a round (api/commands.ts): the acting office's rounds, here all open. */
export function roundsFor(actor: { office: string }, command: { type: string }): { rounds?: Round[] } {
  return command.type === 'AssignToProvincialRound' || command.type === 'ConveneCouncil'
    ? { rounds: openRoundFacts(actor.office) }
    : {};
}
