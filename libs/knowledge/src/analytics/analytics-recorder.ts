import { AnswerbridgeError, compareLogIds, type AnalyticsEventStore, type DecisionLogReader } from '@answerbridge/core';

/** Entries copied per transaction: large enough to catch up quickly, small enough to hold the lock briefly. */
export const ANALYTICS_COPY_BATCH = 1_000;
/** How often a caught-up copier looks for new entries (the statistics lag the log by about this much). */
export const ANALYTICS_COPY_INTERVAL_MS = 1_000;
/** A read of the log that takes longer fails its round (Redis gone): the transaction ends, the lock is freed. */
export const ANALYTICS_READ_TIMEOUT_MS = 10_000;
/** How often rows past the retention are deleted. */
export const ANALYTICS_EXPIRE_EVERY_MS = 3_600_000;

export interface AnalyticsRecorderOptions {
  log: DecisionLogReader;
  store: AnalyticsEventStore;
  /** DATA_RETENTION_DAYS in ms: older rows are deleted. */
  retentionMs: number;
  batchSize?: number;
  intervalMs?: number;
  expireEveryMs?: number;
  readTimeoutMs?: number;
  nowMs?: () => number;
  onCopied?: (copied: number, cursor: string) => void;
  /** `lost` entries after `after` were deleted before they were copied (the log trimmed, or erased). */
  onGap?: (gap: { after: string | null; lost: number }) => void;
  onExpired?: (rows: number) => void;
  onError: (error: unknown) => void;
}

export interface CopyRound {
  /** False when another copier held the lock (nothing was done). */
  held: boolean;
  copied: number;
  /** Whether the log may have more after this batch (the next round starts at once). */
  more: boolean;
}

/**
 * Copies the decision log (Redis) into the analytics store (PostgreSQL), batch by batch: each round reads the
 * cursor, the entries after it and writes both back in one transaction under the store's lock, so several
 * consoles copy as one and a crash repeats nothing and skips nothing. The hot path never sees it: the worker
 * and the gateway only append to the log.
 */
export class AnalyticsRecorder {
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly expireEveryMs: number;
  private readonly nowMs: () => number;
  private running: Promise<void> | null = null;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private roundWaiters: (() => void)[] = [];
  private lastHeld = true;
  private nextExpiry = 0;

  constructor(private readonly options: AnalyticsRecorderOptions) {
    this.batchSize = options.batchSize ?? ANALYTICS_COPY_BATCH;
    this.intervalMs = options.intervalMs ?? ANALYTICS_COPY_INTERVAL_MS;
    this.expireEveryMs = options.expireEveryMs ?? ANALYTICS_EXPIRE_EVERY_MS;
    this.nowMs = options.nowMs ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /**
   * Stops after the round in progress (its transaction commits or rolls back; nothing is left half-done). A
   * round waiting on a Redis that is gone fails after the read timeout; `waitMs` bounds the wait regardless.
   */
  async stop(waitMs = (this.options.readTimeoutMs ?? ANALYTICS_READ_TIMEOUT_MS) + 5_000): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([this.running, late]);
    clearTimeout(timer);
    this.running = null;
    for (const resolve of this.roundWaiters.splice(0)) resolve();
  }

  /** One round: the next batch copied, if this copier gets the lock. */
  async copyOnce(): Promise<CopyRound> {
    const { log, store } = this.options;
    const round = await store.copy(async (step) => {
      const batch = await this.timed(log.readAfter(step.cursor, this.batchSize));
      const after = step.cursor?.id ?? null;
      if (batch.next === null) return { copied: 0, more: false, to: null, lost: 0, after };
      await step.save(batch.entries, batch.next, { lost: batch.lost });
      // A full batch: more may follow at once (otherwise the next round waits for the interval).
      const more = batch.entries.length >= this.batchSize;
      return { copied: batch.entries.length, more, to: batch.next.id, lost: batch.lost, after };
    });
    if (!round.held) return { held: false, copied: 0, more: false };
    const { copied, more, to, lost, after } = round.result;
    // Reported once committed: a round rolled back is repeated, and would report it twice.
    if (lost > 0) this.options.onGap?.({ after, lost });
    if (to !== null && copied > 0) this.options.onCopied?.(copied, to);
    return { held: true, copied, more };
  }

  /** The log's answer, or an error once it takes longer than the read timeout. */
  private async timed<T>(reading: Promise<T>): Promise<T> {
    const limit = this.options.readTimeoutMs ?? ANALYTICS_READ_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AnswerbridgeError(
              'ANALYTICS.LOG_TIMEOUT',
              `the decision log (Redis) did not answer within ${limit} ms: is Redis up?`,
              true,
            ),
          ),
        limit,
      );
    });
    try {
      return await Promise.race([reading, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Deletes what is past the retention, at most once per `expireEveryMs`. */
  private async expireIfDue(): Promise<void> {
    const now = this.nowMs();
    if (now < this.nextExpiry) return;
    this.nextExpiry = now + this.expireEveryMs;
    const rows = await this.options.store.expire(now - this.options.retentionMs);
    if (rows) this.options.onExpired?.(rows);
  }

  /**
   * Resolves once everything the log held when called has been copied (by this copier or another): for tests
   * and for a console that wants fresh figures. Rejects after `timeoutMs` saying where the copy stands.
   */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const target = await this.options.log.lastId();
    if (target === null) return;
    const deadline = this.nowMs() + timeoutMs;
    for (;;) {
      const cursor = await this.options.store.cursor();
      if (cursor !== null && compareLogIds(cursor.id, target) >= 0) return;
      if (this.nowMs() > deadline)
        throw new AnswerbridgeError(
          'ANALYTICS.COPY_BEHIND',
          `the analytics copy has not reached log entry ${target} within ${timeoutMs} ms (it stands at ` +
            `${cursor?.id ?? 'the start'}): see the console's log for analytics_copy_failed`,
          true,
        );
      if (this.running) await this.nextRound();
      else await this.copyOnce();
    }
  }

  /** Waits for the loop's next round; wakes it unless another copier held the lock last time (no spinning). */
  private nextRound(): Promise<void> {
    const done = new Promise<void>((resolve) => this.roundWaiters.push(resolve));
    if (this.lastHeld) this.wakeUp?.();
    return done;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let more = false;
      try {
        await this.expireIfDue();
        const round = await this.copyOnce();
        more = round.more;
        this.lastHeld = round.held;
      } catch (error) {
        this.options.onError(error);
      }
      for (const resolve of this.roundWaiters.splice(0)) resolve();
      if (!more && !this.stopped) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.intervalMs);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
