import type { ConfidenceModel, ConversationMemory } from '@answerbridge/answering';
import type { WorkerSettings } from '@answerbridge/config';
import type { JobRoutes } from '@answerbridge/core';
import { startRetentionSweep, type EscalationService } from '@answerbridge/escalation';
import type { Logger, Metrics } from '@answerbridge/observability';
import { openDatabase, type Pool } from '@answerbridge/database';
import {
  JobProducer,
  QueueInspector,
  RedisChannelRelay,
  RedisKeyValueStore,
  RedisKnowledgeChanges,
  type Redis,
} from '@answerbridge/redis';
import { answerInbound } from '../answer-inbound';
import { notifyUnclaimed } from '../notify-unclaimed';
import { personPrototypesFor } from '../person-prototypes';
import { replyFailedForGood, sendReply } from '../send-reply';
import { createChannelSenders } from './channel-senders';
import {
  createConversationMemory,
  createDecisionLog,
  createEscalationService,
  createPersonalDataService,
  createRecentTurns,
} from './escalation-services';
import { createFaqReview } from './review-queue';
import { createKnowledgeServices, type KnowledgeServices, type Language } from './knowledge-services';
import { residentSearchReporter } from './resident-search-reporter';

/** How often the retention is applied to what Redis does not expire by itself (see startRetentionSweep). */
const RETENTION_SWEEP_EVERY_MS = 3_600_000;

export interface WorkerServices {
  /** What the worker does with each job of the catalog. */
  routes: JobRoutes;
  knowledge: KnowledgeServices;
  escalation: EscalationService;
  inspector: QueueInspector;
  /** PostgreSQL (the review queue, the recorded entries), for the readiness probe. */
  database: Pool;
  /** Stops the retention sweep and closes the producer, the inspector, the vector store and the database pool. */
  close(): Promise<void>;
}

/** A question waits for nothing longer than this on an unreachable database (learning is a side effect). */
const DATABASE_CONNECT_TIMEOUT_MS = 2_000;

/**
 * Everything the worker runs, built from the configuration on one Redis connection and a PostgreSQL pool:
 * the knowledge search (Milvus loaded and ready), the escalation service, the review queue it proposes what
 * it learns to, the channel senders, the retention sweep, and the route of each catalog job to its use case.
 * A bad DATABASE_URL or a database that does not answer stops it at start, with words (as the console);
 * later, a database that went away only costs the learning (answerInbound goes on without it).
 */
export async function createWorkerServices(
  config: WorkerSettings,
  redis: Redis,
  { logger: log, metrics }: { logger: Logger; metrics: Metrics },
): Promise<WorkerServices> {
  const store = new RedisKeyValueStore(redis, config.QUEUE_PREFIX);
  const producer = new JobProducer(redis, {
    prefix: config.QUEUE_PREFIX,
    dedupeTtlMs: config.DEDUPE_TTL_SECONDS * 1000,
  });
  const knowledge = createKnowledgeServices(config, {
    microBatch: true,
    circuitBreaker: true,
    onCircuit: (state) => log.warn({ event: 'embedder_circuit', state }, `embedder circuit ${state}`),
    time: (stage, fn) => metrics.time(stage, fn),
    resident: true,
    changes: new RedisKnowledgeChanges(redis, config.QUEUE_PREFIX),
    onResidentEvent: residentSearchReporter(log, metrics),
  });
  const database = await openDatabase(config.DATABASE_URL, {
    applicationName: 'answerbridge-worker',
    max: 4,
    connectTimeoutMs: DATABASE_CONNECT_TIMEOUT_MS,
    onMigrated: (files) => log.info({ event: 'database_migrated', files }, 'database migrated'),
  });
  const vectors = knowledge.store;
  metrics.gauge(
    'answerbridge_resident_search_rows',
    "Rows of each knowledge base held in this worker's memory for dense search",
    ['knowledge_base'],
    async () =>
      knowledge.resident.residents().map((r) => ({ labels: { knowledge_base: r.knowledgeBase }, value: r.rows })),
  );
  const knowledgeBases = new Map(config.bots.map((b) => [b.id, b.knowledgeBase ?? b.id]));
  const languages = new Map(config.bots.map((b) => [b.id, b.language]));
  try {
    await vectors.ready();
    // Heard before the first load, so nothing announced in between is missed.
    await knowledge.resident.listen();
    // Milvus Lite starts every collection released; load them before the first question arrives.
    await vectors.loadActive([...new Set(knowledgeBases.values())]);
  } catch (error) {
    await database.end().catch(() => undefined);
    // Stops listening for knowledge changes too (its own Redis connection).
    await vectors.close().catch(() => undefined);
    throw error;
  }

  const { service: escalation } = createEscalationService(config, redis, producer);
  const answerDeps = {
    escalation,
    languageOf: (botId: string) => languages.get(botId),
    searcherFor: (language: Language) => knowledge.searcherFor(language),
    producer,
    policyFor: (language: Language, calibrated: ConfidenceModel | null) => knowledge.policyFor(language, calibrated),
    calibrationFor: (knowledgeBase: string) => knowledge.calibrationFor(knowledgeBase),
    personPrototypes: personPrototypesFor(knowledge.embedder, knowledge.profile.name),
    memory: createConversationMemory<ConversationMemory>(config, redis),
    memoryTtlMs: config.CONVERSATION_MEMORY_SECONDS * 1000,
    decisions: createDecisionLog(config, redis),
    turns: createRecentTurns(config, redis),
    learner: createFaqReview(config, database, knowledge),
    knowledgeBaseFor: (botId: string) => knowledgeBases.get(botId),
    logger: log,
    metrics,
  };
  // Embedded in the background now rather than on the first question (a failure is tried again then).
  void answerDeps
    .personPrototypes()
    .catch((err: unknown) => log.warn({ err }, 'person-request prototypes not embedded yet'));
  const { senders, notifyAgents, handovers } = createChannelSenders(config, store, {
    metrics,
    logger: log,
    // The relay's keys sit beside the store's (`<prefix>:kv:relay:…`).
    relay: () => new RedisChannelRelay(redis, `${config.QUEUE_PREFIX}:kv`),
  });
  const sendDeps = { senders, escalation, logger: log, metrics };
  const notifyDeps = {
    escalation,
    ...(notifyAgents ? { notifyAgents } : {}),
    expectedWaitMinutes: config.ESCALATION_EXPECTED_WAIT_MINUTES,
    logger: log,
  };
  const retention = startRetentionSweep(createPersonalDataService(config, redis, database), {
    everyMs: RETENTION_SWEEP_EVERY_MS,
    lock: store,
    onSwept: (deleted) =>
      log.info({ event: 'retention_sweep', deleted, retentionDays: config.DATA_RETENTION_DAYS }, 'retention applied'),
    onError: (err) =>
      log.warn(
        { event: 'retention_sweep_failed', err: (err as Error).message },
        'retention sweep failed; the next one retries',
      ),
  });
  const inspector = new QueueInspector(redis, config.QUEUE_PREFIX);
  return {
    routes: {
      'inbound.answer.v1': {
        concurrency: config.WORKER_CONCURRENCY,
        handle: async (message, { lastAttempt }) =>
          void (await answerInbound({ ...answerDeps, handovers, lastAttempt }, message)),
      },
      'outbound.send.v1': {
        concurrency: config.OUTBOUND_CONCURRENCY,
        handle: (reply) => sendReply(sendDeps, reply),
        // An agent's reply that will not go out shows as failed in the console; the job stays as a dead letter.
        onFinalFailure: (reply, error) =>
          replyFailedForGood(sendDeps, reply, error instanceof Error ? error.message : String(error)),
      },
      'escalation.unclaimed.v1': { concurrency: 2, handle: (check) => notifyUnclaimed(notifyDeps, check) },
    },
    knowledge,
    escalation,
    inspector,
    database,
    async close() {
      await retention.stop();
      await producer.close();
      await inspector.close();
      await vectors.close().catch(() => undefined);
      await database.end().catch(() => undefined);
    },
  };
}
