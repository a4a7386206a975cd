/**
 * B7 scale-out: B1's full cycles through the case workflow with one worker process against two on the same task
 * queue, in the same run, on the same Temporal server and database; the order alternates per round. What a second
 * worker buys depends on where the bottleneck is: on one machine the workers share its cores with the Temporal server
 * and PostgreSQL, so the figure says how far the worker itself limits throughput here, not what two machines give.
 */
import type { BenchEnv } from './env';
import { progress, round } from './env';
import { runPhase, totalOf, type B1Options, type PhaseResult } from './b1-throughput';

export type B7Options = Pick<B1Options, 'cycles' | 'rounds' | 'concurrency' | 'tuning'>;

export interface B7Result {
  options: B7Options;
  /** Totals over the rounds, by number of worker processes. */
  byWorkers: (PhaseResult & { workers: number })[];
  rounds: (PhaseResult & { workers: number })[];
  /** Two workers' cycles per second over one worker's. */
  ratio: number;
}

export async function runB7(env: BenchEnv, options: B7Options): Promise<B7Result> {
  const rounds: B7Result['rounds'] = [];
  for (let r = 0; r < options.rounds; r++) {
    for (const workers of r % 2 === 0 ? [1, 2] : [2, 1]) {
      progress(`B7 round ${r + 1}/${options.rounds}: ${workers} worker process(es)`);
      const result = await runPhase(env, 'case', options.cycles, { ...options, workers });
      progress(`B7 ${workers} worker(s): ${result.cyclesPerSecond} cycles/s`);
      rounds.push({ ...result, workers });
    }
  }
  const byWorkers = [1, 2].map((workers) => ({ ...totalOf(rounds.filter((x) => x.workers === workers))!, workers }));
  return { options, byWorkers, rounds, ratio: round(byWorkers[1]!.cyclesPerSecond / byWorkers[0]!.cyclesPerSecond, 3) };
}
