import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, with the metrics every stage records into. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const stageSeconds = new Histogram({
    name: 'answerbridge_stage_duration_seconds',
    help: 'Time spent in each pipeline stage',
    labelNames: ['stage', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const callbacks = new Counter({
    name: 'answerbridge_callbacks_total',
    help: 'Platform callbacks by channel and result',
    labelNames: ['channel', 'result'] as const,
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'answerbridge_decisions_total',
    help: 'Answer decisions by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const learnedPhrasings = new Counter({
    name: 'answerbridge_learned_phrasings_total',
    help: "Askers' wordings learned from picks, by outcome (proposed for review, already proposed or live, failed)",
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const channelErrors = new Counter({
    name: 'answerbridge_channel_api_errors_total',
    help: 'Channel API errors by channel and code',
    labelNames: ['channel', 'code'] as const,
    registers: [registry],
  });
  return {
    registry,
    /**
     * A gauge read when Prometheus scrapes (queue depths, escalations waiting): `read` returns the
     * current value per label set.
     */
    gauge(
      name: string,
      help: string,
      labelNames: string[],
      read: () => Promise<{ labels: Record<string, string>; value: number }[]>,
    ) {
      return new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          for (const { labels, value } of await read().catch(() => [])) this.set(labels, value);
        },
      });
    },
    /** A counter of this process's registry (an app's own events, e.g. refused console logins). */
    counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
      return new Counter<L>({ name, help, labelNames, registers: [registry] });
    },
    stageSeconds,
    callbacks,
    decisions,
    learnedPhrasings,
    channelErrors,
    /** Times `fn` into the stage histogram, labelling failures. */
    async time<T>(stage: string, fn: () => Promise<T>): Promise<T> {
      const end = stageSeconds.startTimer({ stage });
      try {
        const result = await fn();
        end({ outcome: 'ok' });
        return result;
      } catch (error) {
        end({ outcome: 'error' });
        throw error;
      }
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
