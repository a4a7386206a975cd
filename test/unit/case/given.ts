import { expect } from 'vitest';
import { DomainError, decide, record, replay } from '../../../domain';
import type { CaseState, CommandInput, CommandMeta, DomainEvent, RecordedEvent } from '../../../domain';

/** Stamp used for history events: `evolve` reads dates from event data, never from the stamp. */
const HISTORY_AT = '2020-01-01T00:00:00.000Z';

export function stateOf(events: readonly (DomainEvent | RecordedEvent)[]): CaseState {
  return record({ status: 'none' }, events, HISTORY_AT).state;
}

function attempt(state: CaseState, command: CommandInput, meta: CommandMeta): DomainEvent[] | DomainError {
  try {
    return decide(command, state, meta);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/**
 * given(history).when(command, meta).then(events) / .thenRejects(code): the decider as a table of facts. The
 * history is folded with `record`, the same path the workflow takes.
 */
export function given(history: readonly (DomainEvent | RecordedEvent)[]) {
  const state = stateOf(history);
  return {
    state,
    when(command: CommandInput, meta: CommandMeta) {
      const outcome = () => attempt(state, command, meta);
      return {
        /** Exactly these events, in this order. */
        then(expected: readonly DomainEvent[]): DomainEvent[] {
          const result = outcome();
          if (result instanceof DomainError) {
            throw new Error(`expected events, got DomainError ${result.code}: ${result.message}`);
          }
          expect(result).toEqual(expected);
          return result;
        },
        /** Events whose types are these, for when only some fields matter; returns them for further checks. */
        thenTypes(types: readonly DomainEvent['type'][]): DomainEvent[] {
          const result = outcome();
          if (result instanceof DomainError) {
            throw new Error(`expected events, got DomainError ${result.code}: ${result.message}`);
          }
          expect(result.map((e) => e.type)).toEqual(types);
          return result;
        },
        thenRejects(code: DomainError['code'], message?: RegExp): DomainError {
          const result = outcome();
          if (!(result instanceof DomainError)) {
            throw new Error(`expected DomainError ${code}, got events ${result.map((e) => e.type).join(', ')}`);
          }
          expect({ code: result.code, message: result.message }).toMatchObject({ code });
          if (message) expect(result.message).toMatch(message);
          return result;
        },
        /** The state after the command's events. */
        thenState(): CaseState {
          const result = outcome();
          if (result instanceof DomainError) {
            throw new Error(`expected events, got DomainError ${result.code}: ${result.message}`);
          }
          return replay(result, state);
        },
      };
    },
  };
}
