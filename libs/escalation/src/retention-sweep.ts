import type { KeyValueStore } from '@answerbridge/core';
import type { PersonalDataService, RetentionApplied } from './personal-data-service';

export interface RetentionSweepOptions {
  everyMs: number;
  /** One sweep per period across every worker replica: whoever sets this key first runs it. */
  lock: KeyValueStore;
  onSwept: (result: RetentionApplied) => void;
  onError: (error: unknown) => void;
}

/**
 * Applies the retention now and then every `everyMs`: Redis expires escalations and histories by itself,
 * but the decision log of a quiet bot and records written before the retention existed need a sweep.
 * `stop()` waits for a sweep in progress.
 */
export function startRetentionSweep(
  service: PersonalDataService,
  options: RetentionSweepOptions,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = (async () => {
      if (
        !(await options.lock.setIfAbsent('retention-sweep', String(Date.now()), Math.max(1, options.everyMs - 1_000)))
      )
        return;
      options.onSwept(await service.applyRetention());
    })().catch(options.onError);
  };
  sweep();
  const timer = setInterval(sweep, options.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
