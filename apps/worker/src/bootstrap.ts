import { loadAppConfig, type WorkerSettings } from '@answerbridge/config';
import { createLogger, createMetrics, initTracing, type Logger } from '@answerbridge/observability';
import { createWorkerServices } from '@answerbridge/pipeline';
import { createJobWorkers, createRedis, redisAnswers, waitForRedis } from '@answerbridge/redis';
import { serveProbes } from './probe-server';
import { registerWorkerGauges } from './worker-gauges';

/**
 * How long a stopping worker may take to finish the questions and replies it holds. Deployments give it
 * 60 s (the chart's terminationGracePeriodSeconds, compose's stop_grace_period): this leaves 5 s of it.
 */
export const WORKER_SHUTDOWN_GRACE_MS = 55_000;

export interface RunningWorker {
  /** URL of the worker's /metrics, /healthz and /readyz. */
  metricsUrl: string;
  close(): Promise<void>;
}

export async function bootstrap(
  config: WorkerSettings = loadAppConfig('worker'),
  logger?: Logger,
): Promise<RunningWorker> {
  const log = logger ?? createLogger({ name: 'worker', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const otlpEndpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  initTracing({ serviceName: 'answerbridge-worker', ...(otlpEndpoint ? { otlpEndpoint } : {}) });
  const metrics = createMetrics('worker');
  const redis = createRedis(config.REDIS_URL, 'worker', config);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  await waitForRedis(redis);
  const services = await createWorkerServices(config, redis, { logger: log, metrics });
  registerWorkerGauges(metrics, services);
  const workers = createJobWorkers(redis, services.routes, {
    prefix: config.QUEUE_PREFIX,
    lockMs: config.JOB_LOCK_MS,
    onFailed: (queue, jobId, attempts, err) => log.warn({ queue, jobId, attempts, err: err.message }, 'job failed'),
    onError: (queue, err) => log.error({ queue, err: err.message }, 'worker error'),
  });
  await workers.ready();
  const databaseAnswers = () =>
    services.database.query('SELECT 1').then(
      () => true,
      () => false,
    );
  const readiness = async () => {
    const [redisUp, databaseUp] = await Promise.all([redisAnswers(redis), databaseAnswers()]);
    if (!redisUp) return 'redis unavailable';
    if (!databaseUp) return 'database unavailable';
    return workers.running() ? 'ready' : 'consumers stopped';
  };
  const probes = await serveProbes(metrics, readiness, config.METRICS_HOST, config.METRICS_PORT);
  const { profile, search, confidenceFor } = services.knowledge;
  const confidence = Object.fromEntries((['zh', 'en'] as const).map((l) => [l, confidenceFor(l).fittedOn]));
  log.info({ profile: profile.name, search: search.mode, confidence, metricsUrl: probes.url }, 'worker ready');
  return {
    metricsUrl: probes.url,
    async close() {
      // Questions first, then replies (createJobWorkers closes in catalog order), so a reply the last
      // answers queued still goes out from this process; then what the jobs used.
      await workers.close();
      await services.close();
      probes.server.close();
      await redis.quit().catch(() => undefined);
    },
  };
}
