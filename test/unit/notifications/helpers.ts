import { nextDeadline, record } from '../../../domain';
import type { Actor, CaseState, CommandInput } from '../../../domain';
import { noticesForEvents, type Notice } from '../../../domain/notifications';
import { at, type Story } from '../case/fixtures';

/** Runs a command on the story as the workflow would and returns the notices its recorded events cause. */
export function step(s: Story, command: CommandInput, date: string, actor: Actor): Notice[] {
  return stepAt(s, () => s.run(command, date, actor), at(date));
}

/** Lets the story's earliest deadline elapse and returns the notices its events cause. */
export function elapse(s: Story): Notice[] {
  const next = nextDeadline(s.state);
  if (!next) throw new Error('no pending deadline');
  return stepAt(s, () => s.elapse(), next.due);
}

function stepAt(s: Story, run: () => ReturnType<Story['run']>, now: string): Notice[] {
  const before: CaseState = s.state;
  const produced = run();
  const { recorded } = record(before, produced, now);
  return noticesForEvents(before, recorded, s.state);
}
