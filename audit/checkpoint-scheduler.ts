import type { KeyObject } from 'node:crypto';
import type { Logger } from '../config/logger';
import type { Sql } from '../db';
import { takeCheckpoint, type TakeCheckpointResult } from './checkpoint';

/**
 * Takes a signed checkpoint of every stream's head when started and then every interval, beside each worker (as the
 * notification sender does). Several workers may run one each: checkpoints serialize on an advisory lock, and a
 * checkpoint is only taken when some head changed. A failure (database away, a last checkpoint that does not
 * verify) is logged and tried again at the next interval.
 */
export class CheckpointScheduler {
  /** The outcome of the last attempt, for logs and tests. */
  last: TakeCheckpointResult | Error | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: () => void = () => undefined;

  constructor(
    private readonly sql: Sql,
    private readonly log: Logger,
    private readonly signingKey: KeyObject,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp();
    await this.loop;
    this.loop = null;
  }

  /** Takes a checkpoint now (what the loop does each interval). */
  async once(): Promise<TakeCheckpointResult | Error> {
    try {
      const result = await takeCheckpoint(this.sql, this.signingKey);
      for (const r of result.regressed) {
        this.log.error(
          { streamId: r.streamId, checkpointed: r.checkpointed, missing: r.missing, mismatch: r.mismatch },
          'a stream no longer holds its checkpointed head: events were deleted or changed',
        );
      }
      if (result.taken && result.checkpoint) {
        this.log.info(
          { seq: result.checkpoint.seq, streams: result.checkpoint.streams, changed: result.changed },
          'audit checkpoint taken',
        );
      }
      this.last = result;
    } catch (err) {
      this.log.error({ err: String(err) }, 'audit checkpoint failed; trying again at the next interval');
      this.last = err instanceof Error ? err : new Error(String(err));
    }
    return this.last;
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.once();
      if (!this.running) break;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        timer = setTimeout(resolve, this.intervalMs);
      });
      clearTimeout(timer);
    }
  }
}
