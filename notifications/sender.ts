import type { Logger } from '../config/logger';
import type { Sql } from '../db';
import { attemptRow, enabledChannels, recoverAbandoned, SenderStopped, type DeliveryOptions } from './deliver';
import { claimDue, type OutboxChannel } from './outbox';

/*
 * The notification sender: the delivering half of the transactional outbox. Outbox rows are written in the same
 * transaction as the events that cause them (activities/records.ts), so a notice exists exactly when its event
 * does; the sender, running beside each worker, then claims due rows one at a time (FOR UPDATE SKIP LOCKED, so any
 * number of senders share the work without sending a row twice), sends them and records the outcome. A failed row
 * waits before its next attempt (NOTIFY_RETRY_SECONDS, doubling); an abandoned claim is settled by `recoverStale`
 * once its lease runs out. New rows wake the sender at once; a sweep every poll interval finds everything else.
 */

export interface SenderSettings {
  /** Rows delivered at once. @default 4 */
  concurrency: number;
  /** Milliseconds between sweeps for due retries and abandoned claims. @default 5000 */
  pollMs: number;
}

/** What the sender did since it started, for logs and tests. */
export interface SenderStats {
  delivered: number;
  failed: number;
  /** Claims given up mid-send (a `SenderStopped` fault): the row stays `sending` until its lease runs out. */
  abandoned: number;
}

export class NotificationSender {
  readonly stats: SenderStats = { delivered: 0, failed: 0, abandoned: 0 };
  private running = false;
  private lanes: Promise<void>[] = [];
  private sweeper: Promise<void> | null = null;
  /** Resolves the current wait of every idle lane (and the sweeper): a wake-up or the stop. */
  private wakeUp: () => void = () => undefined;
  private signal: Promise<void> = this.newSignal();
  private lastOutage = 0;
  /** The channels this sender can deliver on; rows of others are left to a sender that can. */
  private readonly channels: OutboxChannel[];

  constructor(
    private readonly sql: Sql,
    private readonly log: Logger,
    private readonly options: DeliveryOptions,
    private readonly settings: SenderSettings,
  ) {
    this.channels = enabledChannels(options);
  }

  /** Starts the lanes and the sweep; a no-op when already running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.sweeper = this.sweep();
    this.lanes = Array.from({ length: this.settings.concurrency }, () => this.lane());
  }

  /** New rows are due: idle lanes look at once instead of at the next sweep. */
  wake(): void {
    this.wakeUp();
  }

  /** Stops taking rows, lets the rows in hand finish, and resolves when every lane has stopped. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeUp();
    await Promise.all([...this.lanes, this.sweeper]);
    this.lanes = [];
    this.sweeper = null;
  }

  private newSignal(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = () => {
        this.signal = this.newSignal();
        resolve();
      };
    });
  }

  private async idle(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.signal, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  private async lane(): Promise<void> {
    while (this.running) {
      let row;
      try {
        row = await claimDue(this.sql, this.options.leaseSeconds, this.channels);
      } catch (err) {
        this.outage(err);
        await this.idle(this.settings.pollMs);
        continue;
      }
      if (!row) {
        await this.idle(this.settings.pollMs);
        continue;
      }
      try {
        if (await attemptRow(this.sql, this.log, this.options, row)) this.stats.delivered++;
        else this.stats.failed++;
      } catch (err) {
        if (err instanceof SenderStopped) {
          // A fault standing in for a crash between sending and recording: leave the row to its lease.
          this.stats.abandoned++;
          this.log.warn({ outboxKey: row.outboxKey, err: String(err.cause) }, 'notification sender stopped mid-send');
        } else {
          // The database went away while recording a failure: the claim runs out and the row is tried again.
          this.outage(err);
          await this.idle(this.settings.pollMs);
        }
      }
    }
  }

  /** Settles abandoned claims every poll interval, and wakes the lanes when some went back to pending. */
  private async sweep(): Promise<void> {
    while (this.running) {
      try {
        if ((await recoverAbandoned(this.sql, this.log, this.options, null)) > 0) this.wakeUp();
      } catch (err) {
        this.outage(err);
      }
      await this.idle(this.settings.pollMs);
    }
  }

  /** Says once a minute at most that the database cannot be reached; the rows wait in the outbox meanwhile. */
  private outage(err: unknown): void {
    const now = Date.now();
    if (now - this.lastOutage < 60_000) return;
    this.lastOutage = now;
    this.log.warn({ err: String(err) }, 'notification sender cannot reach the database; retrying');
  }
}
