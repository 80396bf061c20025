import type { AppConfig } from '@answerbridge/config';
import { EscalationService, defaultEscalationMessages } from '@answerbridge/escalation';
import { RedisEscalationStore, RedisInboxEvents, type JobProducer, type Redis } from '@answerbridge/queue';

/** The escalation service on Redis as configured; the worker and the console build it the same way. */
export function createEscalationService(config: AppConfig, redis: Redis, producer: JobProducer, agentName?: (agentId: string) => string) {
  const events = new RedisInboxEvents(redis, config.QUEUE_PREFIX);
  const service = new EscalationService({
    store: new RedisEscalationStore(redis, config.QUEUE_PREFIX),
    events,
    producer,
    messages: defaultEscalationMessages,
    notifyAfterMs: config.ESCALATION_NOTIFY_AFTER_SECONDS * 1000,
    ...(agentName ? { agentName } : {}),
  });
  return { service, events };
}
