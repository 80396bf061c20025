import type { EscalationSettings } from '@answerbridge/config';
import type { AnalyticsEventStore, JobEnqueuer } from '@answerbridge/core';
import { EscalationService, PersonalDataService, defaultEscalationMessages } from '@answerbridge/escalation';
import { FaqReview, type FaqDraft } from '@answerbridge/knowledge';
import type { KnowledgeServices } from './knowledge-services';
import {
  RedisConversationState,
  RedisDecisionLog,
  RedisEscalationStore,
  RedisFaqDrafts,
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

/** Erasure requests and the retention sweep over every store that holds what people wrote. */
export function createPersonalDataService(
  config: EscalationSettings,
  redis: Redis,
  /** The analytics in PostgreSQL, where the process has the database (the console). */
  analytics?: Pick<AnalyticsEventStore, 'erase'>,
): PersonalDataService {
  return new PersonalDataService({
    escalations: new RedisEscalationStore(redis, config.QUEUE_PREFIX, retentionMs(config)),
    decisions: createDecisionLog(config, redis),
    conversationState: createConversationMemory(config, redis),
    events: new RedisInboxEvents(redis, config.QUEUE_PREFIX),
    ...(analytics ? { analytics } : {}),
  });
}

/** The last turns of each conversation as configured: kept DATA_RETENTION_DAYS after the last one. */
export function createRecentTurns(config: EscalationSettings, redis: Redis): RedisRecentTurns {
  return new RedisRecentTurns(redis, config.QUEUE_PREFIX, retentionMs(config));
}

/**
 * The review queue as configured, for the worker (which proposes what it learns) and the console (where
 * editors approve): drafts kept DATA_RETENTION_DAYS, live phrasings kept by every ingest.
 */
export function createFaqReview(
  config: EscalationSettings,
  redis: Redis,
  knowledge: Pick<KnowledgeServices, 'store' | 'embedder'>,
): FaqReview {
  return new FaqReview({
    store: knowledge.store,
    embedder: knowledge.embedder,
    drafts: new RedisFaqDrafts<FaqDraft>(redis, config.QUEUE_PREFIX, retentionMs(config)),
    keepDecidedForMs: retentionMs(config),
  });
}
