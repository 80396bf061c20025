import type { Logger } from '@answerbridge/observability';

export interface RateLimitedLogOptions {
  /** Lines written per key in each one-second window; the rest are counted, not written. */
  perSecond: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

interface Window {
  startedAt: number;
  written: number;
  /** Lines dropped since the last one written for this key. */
  suppressed: number;
}

/** Keys are refusal codes, a small fixed set; the bound only guards against a bug making them unbounded. */
const MAX_KEYS = 1_024;

/**
 * Log lines about requests anyone can send (refusals, hang-ups), at most `perSecond` per key per second
 * per process, so a flood of bad requests cannot flood the log or slow the process with writing it. The
 * first line written after some were dropped says how many (`suppressed`); every request is still counted
 * in the metrics, which are the place to see volumes.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;

  constructor(
    private readonly logger: Logger,
    private readonly options: RateLimitedLogOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Writes the line unless this key has had its share this second; true when written. */
  write(
    level: 'error' | 'warn' | 'info' | 'debug',
    key: string,
    fields: Record<string, unknown>,
    message: string,
  ): boolean {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window) {
      if (this.windows.size >= MAX_KEYS) this.windows.clear();
      window = { startedAt: now, written: 0, suppressed: 0 };
      this.windows.set(key, window);
    } else if (now - window.startedAt >= 1_000) {
      window.startedAt = now;
      window.written = 0;
    }
    if (window.written >= this.options.perSecond) {
      window.suppressed++;
      return false;
    }
    window.written++;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    this.logger[level](suppressed > 0 ? { ...fields, suppressed } : fields, message);
    return true;
  }
}
