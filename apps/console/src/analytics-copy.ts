import type { ConsoleSettings } from '@answerbridge/config';
import { PostgresAnalyticsEvents, PostgresAnalyticsFacts, type Pool } from '@answerbridge/database';
import { AnalyticsRecorder } from '@answerbridge/knowledge';
import type { Logger, Metrics } from '@answerbridge/observability';
import { createDecisionLog } from '@answerbridge/pipeline';
import type { Redis } from '@answerbridge/redis';

export interface AnalyticsCopy {
  events: PostgresAnalyticsEvents;
  facts: PostgresAnalyticsFacts;
  /** Resolves once what the decision log held when called is in PostgreSQL. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the copy of the decision log (Redis) into PostgreSQL in this console: every replica runs one, the
 * database's lock lets one copy at a time. Copied rows and gaps are counted; a failure is logged and retried.
 */
export function startAnalyticsCopy(deps: {
  config: ConsoleSettings;
  redis: Redis;
  database: Pool;
  knowledgeBaseFor: (botId: string) => string | undefined;
  logger: Logger;
  metrics: Metrics;
}): AnalyticsCopy {
  const { config, logger, metrics } = deps;
  const events = new PostgresAnalyticsEvents(deps.database, config.QUEUE_PREFIX, deps.knowledgeBaseFor);
  const copied = metrics.counter(
    'answerbridge_analytics_events_copied_total',
    'Decision log entries (decisions, feedback) copied into PostgreSQL',
    [],
  );
  const lost = metrics.counter(
    'answerbridge_analytics_log_entries_lost_total',
    'Decision log entries deleted (trimmed, or erased) before they were copied into PostgreSQL',
    [],
  );
  const recorder = new AnalyticsRecorder({
    log: createDecisionLog(config, deps.redis),
    store: events,
    retentionMs: config.DATA_RETENTION_DAYS * 86_400_000,
    onCopied: (n) => copied.inc(n),
    onGap: (gap) => {
      lost.inc(gap.lost);
      logger.warn(
        { event: 'analytics_log_gap', after: gap.after, lost: gap.lost },
        'decision log entries were deleted before they were copied into PostgreSQL (the log was trimmed, or a ' +
          'person erased): the statistics miss them; if it repeats, the console was down longer than the log keeps',
      );
    },
    onExpired: (rows) => logger.info({ event: 'analytics_expired', rows }, 'analytics rows past the retention deleted'),
    onError: (err) =>
      logger.warn({ event: 'analytics_copy_failed', err }, 'analytics copy into PostgreSQL failed; retried shortly'),
  });
  recorder.start();
  return {
    events,
    facts: new PostgresAnalyticsFacts(deps.database),
    caughtUp: (timeoutMs) => recorder.caughtUp(timeoutMs),
    stop: () => recorder.stop(),
  };
}
