import { z } from 'zod';
import { localDate } from '../calendar';
import type { Actor } from '../case/actors';
import { DomainError, type DomainErrorCode } from '../case/errors';
import { councilIssue, councilSchema } from '../council';
import { provincialRoundOf, ruleSetInForce } from '../rules';
import { shared } from '../shared';
import { roundIdOf, type RoundEvent, type RoundState } from './round';

/* The commands on a round and their pure decider: who may open and close it, and when it can be. */

const schemas = shared('domain/rounds/commands', () => {
  const openRoundData = z.strictObject({
    year: z.number().int().min(2019).max(2050),
    round: z.union([z.literal(1), z.literal(2)]),
    /** The provincial council (Hội đồng đánh giá, phân hạng) of this round: exactly one chair, each member once. */
    council: councilSchema,
  });
  const roundCommandSchema = z.discriminatedUnion('type', [
    z.object({ type: z.literal('OpenRound'), data: openRoundData }),
    z.object({ type: z.literal('CloseRound'), data: z.strictObject({}) }),
  ]);
  return { openRoundData, roundCommandSchema };
});
export const { openRoundData, roundCommandSchema } = schemas;
export type RoundCommand = z.infer<typeof roundCommandSchema>;

/** The round a command opens or closes: its province is the office's, so it is named by year and number. */
export const roundIdFor = (actor: Actor, command: RoundCommand, current: string): string =>
  command.type === 'OpenRound' ? roundIdOf(actor.office, command.data.year, command.data.round) : current;

function fail(state: RoundState, command: string, code: DomainErrorCode, message: string): never {
  throw new DomainError(code, state.status, command, message);
}

/**
 * What happens when a command meets a round: its events, or a DomainError. Pure: the clock and the actor come in
 * `meta`, the calendar from the rule-set in force on the day.
 */
export function decideRound(
  command: RoundCommand,
  state: RoundState,
  meta: { now: string; actor: Actor },
): RoundEvent[] {
  const { actor } = meta;
  const [, provinceCode] = state.roundId.split(':');
  if (actor.role !== 'provincial_office' || actor.office !== provinceCode) {
    fail(
      state,
      command.type,
      'forbidden',
      `Only the provincial OCOP office of ${provinceCode} opens and closes its rounds.`,
    );
  }
  switch (command.type) {
    case 'OpenRound': {
      if (state.status !== 'none') {
        fail(state, command.type, 'round_already_open', `Round ${state.round} of ${state.year} was already opened.`);
      }
      const broken = councilIssue(command.data.council);
      if (broken)
        throw new DomainError('invalid', state.status, command.type, broken.en, [{ field: 'council', ...broken }]);
      const ruleSet = ruleSetInForce(localDate(meta.now));
      const slot = provincialRoundOf(command.data.year, command.data.round, ruleSet);
      if (!slot) fail(state, command.type, 'invalid', `${ruleSet.title} fixes no round calendar.`);
      return [
        {
          type: 'RoundOpened',
          data: {
            provinceCode: actor.office,
            year: command.data.year,
            round: command.data.round,
            cutOff: slot.cutOff,
            decideBy: slot.decideBy,
            council: command.data.council,
          },
        },
      ];
    }
    case 'CloseRound':
      if (state.status === 'none') fail(state, command.type, 'round_not_found', `There is no round ${state.roundId}.`);
      if (state.status === 'closed') {
        fail(state, command.type, 'round_closed', `Round ${state.round} of ${state.year} is already closed.`);
      }
      return [{ type: 'RoundClosed', data: { roundId: state.roundId } }];
  }
}
