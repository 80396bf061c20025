import type { EscalationSettings } from '@answerbridge/config';
import type { AnalyticsEventStore, JobEnqueuer } from '@answerbridge/core';
import { EscalationService, PersonalDataService, defaultEscalationMessages } from '@answerbridge/escalation';
import { PostgresFaqDrafts, type Pool } from '@answerbridge/database';
import {
  RedisConversationState,
  RedisDecisionLog,
  RedisEscalationStore,
  RedisInboxEvents,
  RedisRecentTurns,
  type Redis,
} from '@answerbridge/redis';

/** How long what people wrote is kept (DATA_RETENTION_DAYS), in ms. */
export const retentionMs = (config: Pick<EscalationSettings, 'DATA_RETENTION_DAYS'>): number =>
  config.DATA_RETENTION_DAYS * 86_400_000;

/** The escalation service on Redis as configured; the worker and the console build it the same way. */
export function createEscalationService(
  config: EscalationSettings,
  redis: Redis,
  producer: JobEnqueuer,
  agentName?: (agentId: string) => string,
) {
  const events = new RedisInboxEvents(redis, config.QUEUE_PREFIX);
  const service = new EscalationService({
    store: new RedisEscalationStore(redis, config.QUEUE_PREFIX, retentionMs(config)),
    events,
    producer,
    messages: defaultEscalationMessages,
    notifyAfterMs: config.ESCALATION_NOTIFY_AFTER_SECONDS * 1000,
    ...(agentName ? { agentName } : {}),
  });
  return { service, events };
}

/** The decision log as configured: kept for DATA_RETENTION_DAYS. */
export function createDecisionLog(config: EscalationSettings, redis: Redis): RedisDecisionLog {
  return new RedisDecisionLog(redis, config.QUEUE_PREFIX, { retentionMs: retentionMs(config) });
}

/** The bot's per-conversation memory: kept CONVERSATION_MEMORY_SECONDS, never past the retention. */
export function createConversationMemory<T>(config: EscalationSettings, redis: Redis): RedisConversationState<T> {
  return new RedisConversationState<T>(redis, config.QUEUE_PREFIX, 'memory', retentionMs(config));
}

/**
 * Erasure requests and the retention sweep over every store that holds what people wrote: Redis's, the review
 * queue's drafts in PostgreSQL (`database`), and the analytics copied there where the process has them (the console).
 */
export function createPersonalDataService(
  config: EscalationSettings,
  redis: Redis,
  database: Pool,
  analytics?: Pick<AnalyticsEventStore, 'erase'>,
): PersonalDataService {
  return new PersonalDataService({
    escalations: new RedisEscalationStore(redis, config.QUEUE_PREFIX, retentionMs(config)),
    decisions: createDecisionLog(config, redis),
    conversationState: createConversationMemory(config, redis),
    events: new RedisInboxEvents(redis, config.QUEUE_PREFIX),
    drafts: new PostgresFaqDrafts(database, retentionMs(config)),
    ...(analytics ? { analytics } : {}),
  });
}

/** The last turns of each conversation as configured: kept DATA_RETENTION_DAYS after the last one. */
export function createRecentTurns(config: EscalationSettings, redis: Redis): RedisRecentTurns {
  return new RedisRecentTurns(redis, config.QUEUE_PREFIX, retentionMs(config));
}
