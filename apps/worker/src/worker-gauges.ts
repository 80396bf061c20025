import type { EscalationService } from '@answerbridge/escalation';
import type { Metrics } from '@answerbridge/observability';
import type { QueueInspector } from '@answerbridge/redis';

/** The gauges read at each scrape: jobs per queue and state, open escalations and the oldest one's age. */
export function registerWorkerGauges(
  metrics: Metrics,
  { inspector, escalation }: { inspector: QueueInspector; escalation: EscalationService },
): void {
  metrics.gauge('answerbridge_queue_jobs', 'Jobs per queue and state', ['queue', 'state'], async () =>
    Object.entries(await inspector.counts()).flatMap(([queue, counts]) =>
      Object.entries(counts).map(([state, value]) => ({ labels: { queue, state }, value })),
    ),
  );
  metrics.gauge(
    'answerbridge_escalations',
    'Open escalations by state, and the age of the oldest (seconds)',
    ['state', 'measure'],
    async () => {
      const { waiting, withAgent } = await escalation.queue();
      const oldest = waiting[0] ? (Date.now() - waiting[0].escalatedAt) / 1000 : 0;
      return [
        { labels: { state: 'waiting', measure: 'count' }, value: waiting.length },
        { labels: { state: 'with-agent', measure: 'count' }, value: withAgent.length },
        { labels: { state: 'waiting', measure: 'oldest_age_seconds' }, value: oldest },
      ];
    },
  );
}
