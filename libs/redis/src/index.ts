export {
  createRedis,
  redisAnswers,
  waitForRedis,
  type RedisAuth,
  type RedisClient,
  // The name the apps have always used: it is the same type, a single Redis or a Redis Cluster.
  type RedisClient as Redis,
  type RedisRole,
} from './redis-connection';
export {
  isRedisClusterUrl,
  redisClusterTarget,
  redisTargetOptions,
  redisUrlForDisplay,
  RedisUrlError,
  type RedisClusterTarget,
} from './redis-target';
export { scanKeys } from './redis-scan';
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
export type { Worker } from 'bullmq';
export { RedisConversationState } from './redis-conversation-state';
export { RedisDecisionLog } from './redis-decision-log';
export { RedisFaqDrafts, RedisLearnedPhrasings, RedisSavedEntries } from './redis-saved-entries';
export { RedisEscalationStore, RedisInboxEvents } from './redis-escalation-store';
export { RedisRecentTurns, type RecentTurn } from './redis-recent-turns';
export { RedisQuickReplies, type QuickReply } from './redis-quick-replies';
export { RedisChannelRelay } from './redis-channel-relay';
export { RedisReviewLegacy, type LegacyReviewData } from './redis-review-legacy';
export { RedisKnowledgeChanges, parseKnowledgeChange } from './redis-knowledge-changes';
