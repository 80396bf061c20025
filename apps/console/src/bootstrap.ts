import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, workspaceRoot, type AppConfig } from '@answerbridge/config';
import type { InboxEvent } from '@answerbridge/core';
import type { FaqDraft, FaqEntry } from '@answerbridge/knowledge';
import { createLogger, createMetrics, initTracing, listen, type Logger } from '@answerbridge/observability';
import { createEscalationService, createKnowledgeServices } from '@answerbridge/pipeline';
import { JobProducer, QueueInspector, RedisFaqDrafts, RedisKeyValueStore, RedisSavedEntries, createRedis, redisAnswers, waitForRedis } from '@answerbridge/queue';
import express, { json, type ErrorRequestHandler } from 'express';
import { loadSession, login, logout, requireSession } from './auth';
import type { ConsoleContext } from './console-context';
import { loadUsers } from './console-users';
import { adminRoutes } from './admin-routes';
import { conversationRoutes, statusOf } from './conversation-routes';
import { faqDraftRoutes } from './faq-draft-routes';
import { openApiDocument } from './openapi';

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

const inboxPage = readFileSync(path.join(workspaceRoot, 'apps/console/src/inbox-page.html'), 'utf8');

/** The agent inbox and admin API. */
export async function bootstrap(config: AppConfig = loadConfig(), logger?: Logger): Promise<RunningConsole> {
  const log = logger ?? createLogger({ name: 'console', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  initTracing({ serviceName: `answerbridge-console`, ...(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}) });
  const redis = createRedis(config.REDIS_URL, 'worker', config);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  await waitForRedis(redis);
  const producer = new JobProducer(redis, { prefix: config.QUEUE_PREFIX, dedupeTtlMs: config.DEDUPE_TTL_SECONDS * 1000 });
  const users = loadUsers(config.CONSOLE_USERS_FILE);
  const { service: escalation, events } = createEscalationService(config, redis, producer, (id) => users.find((u) => u.username === id)?.displayName ?? id);
  const knowledge = createKnowledgeServices(config);
  await knowledge.store.ready();
  const knowledgeBases = new Map(config.bots.map((b) => [b.id, b.knowledgeBase ?? b.id]));
  const ctx: ConsoleContext = {
    config,
    users,
    sessions: new RedisKeyValueStore(redis, `${config.QUEUE_PREFIX}:console`),
    escalation,
    knowledge,
    savedEntries: new RedisSavedEntries<FaqEntry>(redis, config.QUEUE_PREFIX),
    queues: new QueueInspector(redis, config.QUEUE_PREFIX),
    knowledgeBaseFor: (botId) => knowledgeBases.get(botId),
    logger: log,
    metrics: createMetrics('console'),
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
  app.use((_req, res, next) => {
    res.set({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' });
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await redisAnswers(redis);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'redis unavailable' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.get('/', (_req, res) => {
    res.set('content-security-policy', "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline' 'self'").type('html').send(inboxPage);
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
  app.use(faqDraftRoutes(ctx, new RedisFaqDrafts<FaqDraft>(redis, config.QUEUE_PREFIX)));
  app.use(adminRoutes(ctx));
  app.use((_req, res) => {
    res.status(404).json({ error: 'CONSOLE.NOT_FOUND', message: 'no such route' });
  });
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const known = statusOf(error);
    const parser = error as { type?: string; status?: number };
    const status = known?.status ?? (parser.type === 'entity.too.large' ? 413 : parser.status && parser.status < 500 ? parser.status : 500);
    if (status >= 500) log.error({ err: error, path: req.path }, 'console request failed');
    res.status(status).json({ error: known?.code ?? (status === 413 ? 'CONSOLE.TOO_LARGE' : status < 500 ? 'CONSOLE.BAD_REQUEST' : 'CONSOLE.ERROR'), message: known?.message ?? (status < 500 ? 'bad request' : 'internal error') });
  };
  app.use(onError);

  const { server, url } = await listen(app, config.CONSOLE_HOST, config.CONSOLE_PORT);
  log.info({ url }, 'console listening');
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unsubscribe();
      await ctx.queues.close();
      await producer.close();
      await knowledge.store.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
    },
  };
}
