import { loadConfig, type AppConfig } from '@answerbridge/config';
import { AnswerbridgeError } from '@answerbridge/core';
import type { ConfidenceModel, ConversationMemory } from '@answerbridge/answering';
import { createLogger, createMetrics, initTracing, listen, type Logger } from '@answerbridge/observability';
import { startRetentionSweep } from '@answerbridge/escalation';
import {
  answerInbound,
  createChannelSenders,
  createConversationMemory,
  createDecisionLog,
  createEscalationService,
  createFaqReview,
  createRecentTurns,
  createKnowledgeServices,
  createPersonalDataService,
  notifyUnclaimed,
  personPrototypesFor,
  replyFailedForGood,
  sendReply,
} from '@answerbridge/pipeline';
import {
  JobProducer,
  QueueInspector,
  RedisKeyValueStore,
  createJobConsumer,
  createRedis,
  permanentFailure,
  redisAnswers,
  waitForRedis,
  type JobContext,
  type Redis,
  type Worker,
} from '@answerbridge/queue';

/**
 * How long a stopping worker may take to finish the questions and replies it holds. Deployments give it
 * 60 s (the chart's terminationGracePeriodSeconds, compose's stop_grace_period): this leaves 5 s of it.
 */
export const WORKER_SHUTDOWN_GRACE_MS = 55_000;

/** How often the retention is applied to what Redis does not expire by itself (see startRetentionSweep). */
const RETENTION_SWEEP_EVERY_MS = 3_600_000;

export interface RunningWorker {
  /** URL of the worker's /metrics, /healthz and /readyz. */
  metricsUrl: string;
  close(): Promise<void>;
}

/** Errors another attempt cannot fix go straight to failed (the dead letters) instead of being retried. */
function classify<T extends unknown[]>(fn: (...args: T) => Promise<unknown>): (...args: T) => Promise<void> {
  return async (...args: T) => {
    try {
      await fn(...args);
    } catch (error) {
      if (error instanceof AnswerbridgeError && !error.retryable)
        throw permanentFailure(`${error.code}: ${error.message}`);
      throw error;
    }
  };
}

export async function bootstrap(config: AppConfig = loadConfig(), logger?: Logger): Promise<RunningWorker> {
  const log = logger ?? createLogger({ name: 'worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  initTracing({
    serviceName: `answerbridge-worker`,
    ...(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}),
  });
  const metrics = createMetrics('worker');
  const redis = createRedis(config.REDIS_URL, 'worker', config);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  await waitForRedis(redis);
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
  });
  const vectors = knowledge.store;
  await vectors.ready();
  const knowledgeBases = new Map(config.bots.map((b) => [b.id, b.knowledgeBase ?? b.id]));
  const languages = new Map(config.bots.map((b) => [b.id, b.language]));
  // Milvus Lite starts every collection released; load them before the first question arrives.
  await vectors.loadActive([...new Set(knowledgeBases.values())]);

  const { service: escalation } = createEscalationService(config, redis, producer);
  const inspector = new QueueInspector(redis, config.QUEUE_PREFIX);
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
  const answerDeps = {
    escalation,
    searcherFor: (botId: string) => knowledge.searcherFor(languages.get(botId) ?? 'zh'),
    producer,
    policyFor: (botId: string, calibrated: ConfidenceModel | null) =>
      knowledge.policyFor(languages.get(botId) ?? 'zh', calibrated),
    calibrationFor: (knowledgeBase: string) => knowledge.calibrationFor(knowledgeBase),
    personPrototypes: personPrototypesFor(knowledge.embedder, knowledge.profile.name),
    memory: createConversationMemory<ConversationMemory>(config, redis),
    memoryTtlMs: config.CONVERSATION_MEMORY_SECONDS * 1000,
    decisions: createDecisionLog(config, redis),
    turns: createRecentTurns(config, redis),
    learner: createFaqReview(config, redis, knowledge),
    knowledgeBaseFor: (botId: string) => knowledgeBases.get(botId),
    logger: log,
    metrics,
  };
  // Embedded in the background now rather than on the first question (a failure is tried again then).
  void answerDeps
    .personPrototypes()
    .catch((err: unknown) => log.warn({ err }, 'person-request prototypes not embedded yet'));
  const { senders, notifyAgents } = createChannelSenders(config, store, metrics);
  const sendDeps = { senders, escalation, logger: log, metrics };
  const notifyDeps = {
    escalation,
    ...(notifyAgents ? { notifyAgents } : {}),
    expectedWaitMinutes: config.ESCALATION_EXPECTED_WAIT_MINUTES,
    logger: log,
  };
  const consumerOptions = { prefix: config.QUEUE_PREFIX, lockMs: config.JOB_LOCK_MS };
  const workers = [
    createJobConsumer(
      redis,
      'inbound.answer.v1',
      classify((message, context: JobContext) =>
        answerInbound({ ...answerDeps, lastAttempt: context.lastAttempt }, message),
      ),
      { ...consumerOptions, concurrency: config.WORKER_CONCURRENCY },
    ),
    createJobConsumer(
      redis,
      'outbound.send.v1',
      classify(async (reply, context: JobContext) => {
        try {
          await sendReply(sendDeps, reply);
        } catch (error) {
          const permanent = error instanceof AnswerbridgeError && !error.retryable;
          if (permanent || context.lastAttempt) await replyFailedForGood(sendDeps, reply, (error as Error).message);
          throw error;
        }
      }),
      { ...consumerOptions, concurrency: config.OUTBOUND_CONCURRENCY },
    ),
    createJobConsumer(
      redis,
      'escalation.unclaimed.v1',
      classify((check) => notifyUnclaimed(notifyDeps, check)),
      { ...consumerOptions, concurrency: 2 },
    ),
  ];
  for (const w of workers) {
    w.on('failed', (job, err) =>
      log.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    w.on('error', (err) => log.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const retention = startRetentionSweep(createPersonalDataService(config, redis), {
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

  const { server: metricsServer, url: metricsUrl } = await listen(
    (req, res) => {
      if (req.url === '/metrics') {
        metrics.registry
          .metrics()
          .then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
      } else if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      } else if (req.url === '/readyz') {
        void workerReadiness(redis, workers).then((status) =>
          res
            .writeHead(status === 'ready' ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status })),
        );
      } else res.writeHead(404).end();
    },
    config.METRICS_HOST,
    config.METRICS_PORT,
  );
  log.info(
    {
      profile: knowledge.profile.name,
      search: knowledge.search.mode,
      confidence: Object.fromEntries((['zh', 'en'] as const).map((l) => [l, knowledge.confidenceFor(l).fittedOn])),
      metricsUrl,
    },
    'worker ready',
  );

  return {
    metricsUrl,
    async close() {
      // Stop taking questions and let the running ones finish first, then the senders, so a reply the
      // last answers queued still goes out from this process.
      await retention.stop();
      const [inbound, ...rest] = workers;
      await inbound?.close();
      await Promise.all(rest.map((w) => w.close()));
      await producer.close();
      await inspector.close();
      await vectors.close().catch(() => undefined);
      metricsServer.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

/** Ready when Redis answers and every consumer is running. */
async function workerReadiness(
  redis: Redis,
  workers: Worker[],
): Promise<'ready' | 'redis unavailable' | 'consumers stopped'> {
  if (!(await redisAnswers(redis))) return 'redis unavailable';
  return workers.every((w) => w.isRunning()) ? 'ready' : 'consumers stopped';
}
