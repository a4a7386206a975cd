/**
 * Baselines for B1 (their own bundle, not part of the product): a workflow that takes the same number of Updates as
 * a product cycle, each Update calling one activity that either does nothing or does one INSERT. Like the case
 * workflow it stays open afterwards, waiting on a timer.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BaselineActivities {
  noop(input: { id: string; step: number }): Promise<number>;
  insertRow(input: { id: string; step: number }): Promise<number>;
}

export interface BaselineInput {
  id: string;
  mode: 'noop' | 'insert';
}

export const stepUpdate = defineUpdate<number, [{ commandId: string; step: number }]>('step');

const acts = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function baselineCase(input: BaselineInput): Promise<number> {
  let steps = 0;
  let busy = false;
  const seen = new Set<string>();
  setHandler(stepUpdate, async ({ commandId, step }) => {
    if (seen.has(commandId)) return steps;
    await condition(() => !busy);
    busy = true;
    try {
      seen.add(commandId);
      await (input.mode === 'insert' ? acts.insertRow({ id: input.id, step }) : acts.noop({ id: input.id, step }));
      steps += 1;
      return steps;
    } finally {
      busy = false;
    }
  });
  // The case workflow sleeps until its next deadline; so does this one (a year, never reached in a benchmark).
  await condition(() => false, '365 days');
  return steps;
}
