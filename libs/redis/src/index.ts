export {
  createRedis,
  redisAnswers,
  redisTargetOptions,
  redisUrlForDisplay,
  waitForRedis,
  RedisUrlError,
  type RedisAuth,
  type RedisRole,
} from './redis-connection';
export { RedisKeyValueStore } from './redis-key-value-store';
export { RedisAttemptLimiter, type AttemptBudget, type AttemptDecision } from './redis-attempt-limiter';
export {
  JobProducer,
  createJobWorkers,
  type EnqueueOptions,
  type EnqueueResult,
  type JobContext,
  type JobHandler,
  type JobRoute,
  type JobRoutes,
  type JobWorkers,
  type JobWorkersOptions,
  type QueueSettings,
} from './job-queues';
export { QueueInspector, waitForQueuesIdle } from './queue-inspector';
export type { Redis } from 'ioredis';
export type { Worker } from 'bullmq';
export { RedisConversationState, RedisDecisionLog } from './redis-conversation-state';
export { RedisFaqDrafts, RedisLearnedPhrasings, RedisSavedEntries } from './redis-saved-entries';
export { RedisEscalationStore, RedisInboxEvents } from './redis-escalation-store';
export { RedisRecentTurns, type RecentTurn } from './redis-recent-turns';
export { RedisQuickReplies, type QuickReply } from './redis-quick-replies';
export { RedisChannelRelay } from './redis-channel-relay';
export { RedisReviewLegacy, type LegacyReviewData } from './redis-review-legacy';
