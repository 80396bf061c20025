import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadAppConfig, workspaceRoot, type ConsoleSettings } from '@answerbridge/config';
import { AnswerbridgeError, httpErrorOf, type InboxEvent } from '@answerbridge/core';
import { createLogger, createMetrics, initTracing, listen, type Logger } from '@answerbridge/observability';
import {
  createDecisionLog,
  createEscalationService,
  createFaqReview,
  createKnowledgeServices,
  createPersonalDataService,
  createRecentTurns,
  moveReviewQueueFromRedis,
} from '@answerbridge/pipeline';
import {
  JobProducer,
  QueueInspector,
  RedisAttemptLimiter,
  RedisKeyValueStore,
  RedisKnowledgeChanges,
  RedisQuickReplies,
  createRedis,
  redisAnswers,
  waitForRedis,
} from '@answerbridge/redis';
import { PostgresConsoleAccounts, openDatabase, type Pool } from '@answerbridge/database';
import express, { json, type ErrorRequestHandler } from 'express';
import { loadSession, login, logout, requireSession } from './auth';
import type { ConsoleContext } from './console-context';
import { consoleErrors, consoleMessages, inboxText, messageForError } from './console-messages';
import { knowledgeText } from './knowledge-messages';
import { knowledgeRoutes } from './knowledge-routes';
import { knowledgeImportRoutes } from './knowledge-import-routes';
import { knowledgeDraftServices, knowledgeEntriesRoutes } from './knowledge-entries-routes';
import { knowledgeAnalyticsRoutes } from './knowledge-analytics-routes';
import { startAnalyticsCopy } from './analytics-copy';
import { bullBoardPolicy, consolePolicy } from './content-security-policy';
import { EventStreamsPerSession } from './event-streams-per-session';
import { parseTrustProxy } from './trust-proxy';
import { ConsoleAccountDirectory, loadUsersFile } from './console-users';
import { adminRoutes } from './admin-routes';
import { userRoutes } from './user-routes';
import { conversationRoutes } from './conversation-routes';
import { faqDraftRoutes } from './faq-draft-routes';
import { quickReplyRoutes } from './quick-reply-routes';
import { openApiDocument } from './openapi';

export interface RunningConsole {
  url: string;
  /** Resolves once what the decision log held when called has been copied into PostgreSQL (statistics). */
  analyticsCaughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

// The inbox page and the files it loads (no inline script or style: see content-security-policy.ts).
const inboxDir = path.join(workspaceRoot, 'apps/console/src/inbox-page');
const inboxPage = readFileSync(path.join(inboxDir, 'index.html'), 'utf8');
const asset = (file: string, type: string) =>
  [file, { type, body: readFileSync(path.join(inboxDir, file), 'utf8') }] as const;
// The page's words come from the message catalog, as a script file (an inline one would need 'unsafe-inline').
const inboxAssets = new Map([
  asset('inbox.js', 'text/javascript'),
  asset('inbox.css', 'text/css'),
  [
    'messages.js',
    { type: 'text/javascript', body: `'use strict';\nglobalThis.INBOX_TEXT = ${JSON.stringify(inboxText)};\n` },
  ],
]);

// The knowledge pages (知识库), built the same way.
const knowledgeDir = path.join(workspaceRoot, 'apps/console/src/knowledge-page');
const knowledgePage = readFileSync(path.join(knowledgeDir, 'index.html'), 'utf8');
/** Every script and stylesheet of the page's folder (the page shell, one script per tab), then Chart.js and the words. */
const knowledgeAssets = new Map<string, { type: string; body: string }>([
  ...readdirSync(knowledgeDir)
    .filter((file) => /\.(js|css)$/.test(file))
    .map(
      (file) =>
        [
          file,
          {
            type: file.endsWith('.css') ? 'text/css' : 'text/javascript',
            body: readFileSync(path.join(knowledgeDir, file), 'utf8'),
          },
        ] as const,
    ),
  // Chart.js draws the statistics; served from this origin as a file, as the CSP requires.
  [
    'chart.js',
    {
      type: 'text/javascript',
      body: readFileSync(path.join(workspaceRoot, 'node_modules/chart.js/dist/chart.umd.min.js'), 'utf8'),
    },
  ],
  [
    'messages.js',
    { type: 'text/javascript', body: `'use strict';\nglobalThis.KNOWLEDGE_TEXT = ${JSON.stringify(knowledgeText)};\n` },
  ],
]);

/** The agent inbox and admin API. */
export async function bootstrap(
  config: ConsoleSettings = loadAppConfig('console'),
  logger?: Logger,
): Promise<RunningConsole> {
  const log = logger ?? createLogger({ name: 'console', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  initTracing({
    serviceName: `answerbridge-console`,
    ...(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}),
  });
  const redis = createRedis(config.REDIS_URL, 'worker', config);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  await waitForRedis(redis);
  const producer = new JobProducer(redis, {
    prefix: config.QUEUE_PREFIX,
    dedupeTtlMs: config.DEDUPE_TTL_SECONDS * 1000,
  });
  let db: Pool | null = null;
  let accounts: ConsoleAccountDirectory;
  try {
    db = await openDatabase(config.DATABASE_URL, {
      applicationName: 'answerbridge-console',
      onMigrated: (files) => log.info({ event: 'database_migrated', files }, 'database migrated'),
    });
    accounts = await openAccounts(config, db, log);
  } catch (error) {
    await db?.end().catch(() => undefined);
    await producer.close().catch(() => undefined);
    redis.disconnect();
    throw error;
  }
  const database = db;
  const nameOf = (id: string) => accounts.find(id)?.displayName ?? id;
  const { service: escalation, events } = createEscalationService(config, redis, producer, nameOf);
  // What the console writes (approvals, publications, rollbacks) is announced to the workers' memory copies.
  const knowledge = createKnowledgeServices(config, { changes: new RedisKnowledgeChanges(redis, config.QUEUE_PREFIX) });
  await knowledge.store.ready();
  await moveReviewQueue(config, redis, database, knowledge, log);
  const knowledgeBases = new Map(config.bots.map((b) => [b.id, b.knowledgeBase ?? b.id]));
  const languages = new Map(config.bots.map((b) => [b.id, b.language]));
  const metrics = createMetrics('console');
  const analytics = startAnalyticsCopy({
    config,
    redis,
    database,
    knowledgeBaseFor: (botId) => knowledgeBases.get(botId),
    logger: log,
    metrics,
  });
  const ctx: ConsoleContext = {
    config,
    get users() {
      return accounts.active();
    },
    accounts,
    sessions: new RedisKeyValueStore(redis, `${config.QUEUE_PREFIX}:console`),
    loginAttempts: new RedisAttemptLimiter(
      redis,
      `${config.QUEUE_PREFIX}:console`,
      config.CONSOLE_LOGIN_WINDOW_SECONDS * 1000,
    ),
    loginThrottled: metrics.counter(
      'answerbridge_console_logins_throttled_total',
      'Console logins refused because too many failed (by: account or address)',
      ['by'],
    ),
    eventStreams: new EventStreamsPerSession(config.CONSOLE_MAX_EVENT_STREAMS_PER_SESSION),
    escalation,
    turns: createRecentTurns(config, redis),
    quickReplies: new RedisQuickReplies(redis, config.QUEUE_PREFIX),
    personalData: createPersonalDataService(config, redis, database, analytics.events),
    knowledge,
    queues: new QueueInspector(redis, config.QUEUE_PREFIX),
    knowledgeBaseFor: (botId) => knowledgeBases.get(botId),
    languageFor: (botId) => languages.get(botId),
    logger: log,
    metrics,
  };

  // One Redis subscription per process, fanned out to every open event stream.
  const listeners = new Set<(e: InboxEvent) => void>();
  const unsubscribe = await events.subscribe((e) => listeners.forEach((l) => l(e)));
  const subscribe = (listener: (e: InboxEvent) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };

  const app = express();
  app.disable('x-powered-by');
  try {
    app.set('trust proxy', parseTrustProxy(config.CONSOLE_TRUST_PROXY));
  } catch (error) {
    throw new ConfigError(`CONSOLE_TRUST_PROXY="${config.CONSOLE_TRUST_PROXY}": ${(error as Error).message}`);
  }
  const boardPolicy = bullBoardPolicy();
  app.use((req, res, next) => {
    res.set({
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      'content-security-policy':
        req.path === '/admin/queues' || req.path.startsWith('/admin/queues/') ? boardPolicy : consolePolicy,
    });
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const [redisUp, databaseUp] = await Promise.all([
      redisAnswers(redis),
      database.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    ]);
    const status = !redisUp ? 'redis unavailable' : !databaseUp ? 'database unavailable' : 'ready';
    res.status(redisUp && databaseUp ? 200 : 503).json({ status });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.get('/', (_req, res) => {
    res.set('cache-control', 'no-cache').type('html').send(inboxPage);
  });
  app.get('/inbox/:file', (req, res, next) => {
    const asset = inboxAssets.get(req.params.file);
    if (!asset) return next();
    res.set('cache-control', 'no-cache').type(asset.type).send(asset.body);
  });
  app.get('/knowledge/', (_req, res) => {
    res.set('cache-control', 'no-cache').type('html').send(knowledgePage);
  });
  app.get('/knowledge/:file', (req, res, next) => {
    const asset = knowledgeAssets.get(req.params.file);
    if (!asset) return next();
    res.set('cache-control', 'no-cache').type(asset.type).send(asset.body);
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(loadSession(ctx));
  app.post('/api/login', json({ limit: '4kb' }), login(ctx));
  app.post('/api/logout', requireSession(), logout(ctx));
  app.get('/api/me', requireSession(), (req, res) => {
    res.json(req.session);
  });
  app.use(conversationRoutes(ctx, subscribe));
  const review = createFaqReview(config, database, knowledge);
  const knowledgeDrafts = knowledgeDraftServices(ctx, database);
  app.use(
    knowledgeRoutes(ctx, {
      review,
      decisions: createDecisionLog(config, redis),
      draftPreview: (knowledgeBase) => knowledgeDrafts.previews.preview(knowledgeBase),
    }),
  );
  app.use(knowledgeEntriesRoutes(ctx, database, knowledgeDrafts));
  app.use(knowledgeImportRoutes(ctx, { redis, database }));
  app.use(knowledgeAnalyticsRoutes(ctx, analytics.facts));
  app.use(faqDraftRoutes(ctx, review));
  app.use(quickReplyRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(userRoutes(ctx));
  app.use((_req, res) => {
    res.status(404).json({ error: 'CONSOLE.NOT_FOUND', message: consoleMessages.noSuchRoute });
  });
  const displayName = nameOf;
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const { status, code, message, refused } = httpErrorOf(error, consoleErrors);
    if (!refused) log.error({ err: error, path: req.path }, 'console request failed');
    // Our own refusals are worded for people around their detail; the body parser's come worded already.
    const words = refused && error instanceof AnswerbridgeError ? messageForError(code, message, displayName) : message;
    res.status(status).json({ error: code, message: words });
  };
  app.use(onError);

  const { server, url } = await listen(app, config.CONSOLE_HOST, config.CONSOLE_PORT);
  log.info({ url }, 'console listening');
  return {
    url,
    analyticsCaughtUp: (timeoutMs) => analytics.caughtUp(timeoutMs),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unsubscribe();
      await ctx.queues.close();
      await producer.close();
      await knowledge.store.close().catch(() => undefined);
      accounts.close();
      // Its round in progress commits or rolls back before the pool closes.
      await analytics.stop();
      await database.end().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}

/**
 * The accounts, from PostgreSQL. A users file (CONSOLE_USERS_FILE), when there is one, adds the accounts it
 * has that the database lacks (the first start after upgrading moves them in; an account changed in the
 * console stays as changed). With no account at all, nobody could log in: the console does not start.
 */
async function openAccounts(config: ConsoleSettings, db: Pool, log: Logger): Promise<ConsoleAccountDirectory> {
  const store = new PostgresConsoleAccounts(db);
  const fromFile = loadUsersFile(config.CONSOLE_USERS_FILE);
  if (fromFile) {
    const added = await store.seed(fromFile, 'users-file');
    if (added.length)
      log.info(
        { event: 'console_users_seeded', file: config.CONSOLE_USERS_FILE, added },
        'console accounts added from the users file',
      );
  }
  if ((await store.count()) === 0)
    throw new ConfigError(
      `no console accounts: the database has none and there is no users file at ${config.CONSOLE_USERS_FILE}; ` +
        'write one (see README, "Console accounts") or set CONSOLE_USERS_FILE to it, then start the console again',
    );
  return ConsoleAccountDirectory.open(store, (error) =>
    log.warn({ event: 'console_users_refresh_failed', err: error }, 'console accounts not re-read'),
  );
}

/**
 * The review queue kept in Redis before PostgreSQL held it (drafts, approved phrasings and saved entries) is
 * moved in at the first start after upgrading, then its keys are gone. A failure is logged, and the next start
 * tries again: what is in Redis stays there until it is moved.
 */
async function moveReviewQueue(
  config: ConsoleSettings,
  redis: Parameters<typeof moveReviewQueueFromRedis>[1],
  database: Pool,
  knowledge: Parameters<typeof moveReviewQueueFromRedis>[3],
  log: Logger,
): Promise<void> {
  try {
    const moved = await moveReviewQueueFromRedis(config, redis, database, knowledge);
    if (moved.drafts || moved.learnedPhrasings || moved.publications)
      log.info({ event: 'review_queue_moved', ...moved }, 'review queue moved from Redis into PostgreSQL');
  } catch (error) {
    log.warn(
      { event: 'review_queue_move_failed', err: error },
      'the review queue kept in Redis was not moved into PostgreSQL; the next start tries again',
    );
  }
}
