import type { BotConfig } from './bots';
import type { Env } from './config';

type Key = keyof Env;
const keys = <K extends Key>(...list: K[]): K[] => list;

/** What every app reads: logging, Redis and its key prefix, the bots file, tracing. */
const common = keys(
  'NODE_ENV',
  'LOG_LEVEL',
  'LOG_PRETTY',
  'REDIS_URL',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'QUEUE_PREFIX',
  'BOTS_FILE',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
);

/** The embedder, Milvus, search and the answer policy: whoever searches the knowledge base the way the bot does. */
export const knowledgeSettings = keys(
  'MILVUS_ADDRESS',
  'MILVUS_TOKEN',
  'EMBEDDING_BASE_URL',
  'EMBEDDING_API_KEY',
  'EMBEDDING_PROFILE',
  'EMBEDDING_MODEL',
  'EMBEDDING_DIMENSIONS',
  'EMBEDDING_TIMEOUT_MS',
  'EMBEDDING_QUERY_TEMPLATE',
  'EMBEDDING_CACHE_SIZE',
  'EMBEDDING_MAX_IN_FLIGHT',
  'EMBEDDING_MICRO_BATCH_MS',
  'SEARCH_MODE',
  'SEARCH_FUSION',
  'SEARCH_RRF_K',
  'SEARCH_DENSE_WEIGHT',
  'RESIDENT_SEARCH_MEMORY_MB',
  'RESIDENT_SEARCH_CHECK_MS',
  'KEYWORD_FALLBACK_THRESHOLD',
  'EMBEDDER_BREAKER_FAILURES',
  'EMBEDDER_BREAKER_COOLDOWN_MS',
  'RERANK_BASE_URL',
  'RERANK_MODEL',
  'RERANK_API_KEY',
  'RERANK_DEPTH',
  'RERANK_TIMEOUT_MS',
  'ANSWER_THRESHOLD',
  'SUGGEST_THRESHOLD',
  'FALLBACK_MESSAGE',
  'HANDOVER_MESSAGE',
  'NOT_HELPFUL_MESSAGE',
  'NON_TEXT_MESSAGE',
  'GREETING_MESSAGE',
  'THANKS_MESSAGE',
  'SUGGEST_HEADER',
  'SUGGEST_FOOTER',
);

/** Escalations, the conversation state and how long what people wrote is kept. */
export const escalationSettings = keys(
  'QUEUE_PREFIX',
  'DEDUPE_TTL_SECONDS',
  'CONVERSATION_MEMORY_SECONDS',
  'ESCALATION_NOTIFY_AFTER_SECONDS',
  'ESCALATION_EXPECTED_WAIT_MINUTES',
  'DATA_RETENTION_DAYS',
);

/**
 * The settings each app parses: a setting another app uses (a console port, a worker's concurrency) can
 * neither stop this one from starting nor be read by it by mistake.
 */
export const appSettings = {
  gateway: keys(
    ...common,
    'DEDUPE_TTL_SECONDS',
    // Feedback on answers joins the decision log, which keeps what people wrote this long.
    'DATA_RETENTION_DAYS',
    'GATEWAY_HOST',
    'GATEWAY_PORT',
    'GATEWAY_BODY_LIMIT_BYTES',
    'GATEWAY_REQUEST_TIMEOUT_MS',
  ),
  worker: keys(
    ...common,
    ...knowledgeSettings,
    ...escalationSettings,
    'WORKER_CONCURRENCY',
    'JOB_LOCK_MS',
    'OUTBOUND_CONCURRENCY',
    'DATABASE_URL',
    'METRICS_HOST',
    'METRICS_PORT',
  ),
  console: keys(
    ...common,
    ...knowledgeSettings,
    ...escalationSettings,
    'DATABASE_URL',
    'CONSOLE_HOST',
    'CONSOLE_PORT',
    'CONSOLE_USERS_FILE',
    'CONSOLE_SESSION_HOURS',
    'CONSOLE_COOKIE_SECURE',
    'CONSOLE_TRUST_PROXY',
    'CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT',
    'CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS',
    'CONSOLE_LOGIN_WINDOW_SECONDS',
    'CONSOLE_MAX_EVENT_STREAMS_PER_SESSION',
  ),
  kb: keys(...common, ...knowledgeSettings, 'DATA_RETENTION_DAYS', 'DATABASE_URL'),
  simulator: keys(
    ...common,
    'SIMULATOR_HOST',
    'SIMULATOR_PORT',
    'SIMULATOR_DINGTALK_REDELIVER_MS',
    'SIMULATOR_DINGTALK_SESSION_TTL_MS',
    'SIMULATOR_DINGTALK_PING_MS',
    'SIMULATOR_GATEWAY_URL',
  ),
};

export type AppName = keyof typeof appSettings;
/** Every app also gets the bots and the environment snapshot the channels' settings are parsed from. */
type WithBots<K extends Key> = Pick<Env, K> & { bots: BotConfig[]; environment: Readonly<Record<string, string>> };

export type KnowledgeSettings = Pick<Env, (typeof knowledgeSettings)[number]>;
export type EscalationSettings = Pick<Env, (typeof escalationSettings)[number]>;
/** What one app was configured with: its own settings and the bots. */
export type SettingsOf<A extends AppName> = WithBots<(typeof appSettings)[A][number]>;
export type GatewaySettings = SettingsOf<'gateway'>;
export type WorkerSettings = SettingsOf<'worker'>;
export type ConsoleSettings = SettingsOf<'console'>;
export type KbSettings = SettingsOf<'kb'>;
export type SimulatorSettings = SettingsOf<'simulator'>;
