import type { Server, ServerOptions } from 'node:http';
import { loadAppConfig, type GatewaySettings } from '@answerbridge/config';
import { createLogger, createMetrics, initTracing, listen, type Logger } from '@answerbridge/observability';
import { JobProducer, createRedis, redisAnswers } from '@answerbridge/redis';
import express from 'express';
import { startChannels, type RunningConnection } from './channel-mounts';
import { errorHandler } from './error-handler';
import type { GatewayContext } from './gateway-context';

export interface RunningGateway {
  url: string;
  server: Server;
  /** The connections this replica holds to the platforms (DingTalk Stream sockets …), each with its channel. */
  connections: RunningConnection[];
  close(): Promise<void>;
}

/**
 * A request whose headers and body have not all arrived within `requestTimeoutMs` gets a 408 and its
 * connection is closed: the platforms send a few KB at once, so a slow body is a client holding a
 * socket. Node looks for expired requests only every `connectionsCheckingInterval` (30 s by default),
 * which would let a slow body stay six times longer than the setting; it is checked five times per timeout
 * here. Idle keep-alive connections are governed by Node's keepAliveTimeout (5 s), not by these.
 */
export function callbackServerTimeouts(requestTimeoutMs: number): ServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(requestTimeoutMs / 5))),
  };
}

/** Builds and starts the gateway; tests call this with their own config (port 0 picks a free port). */
export async function bootstrap(
  config: GatewaySettings = loadAppConfig('gateway'),
  logger?: Logger,
): Promise<RunningGateway> {
  const log = logger ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  initTracing({
    serviceName: `answerbridge-gateway`,
    ...(config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}),
  });
  const redis = createRedis(config.REDIS_URL, 'producer', config);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const ctx: GatewayContext = {
    config,
    bots: new Map(config.bots.map((b) => [b.id, b])),
    producer: new JobProducer(redis, { prefix: config.QUEUE_PREFIX, dedupeTtlMs: config.DEDUPE_TTL_SECONDS * 1000 }),
    redis,
    logger: log,
    metrics: createMetrics('gateway'),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Every channel of the registry: its HTTP routes mounted here, its connections started.
  const connections = startChannels(app, ctx);
  // Ready means callbacks can be queued: Redis answers. Held connections (DingTalk Stream sockets …) are not
  // part of it: they reconnect on their own, and one platform's outage (or one bot's bad credentials) must not
  // take every replica out of the load balancer and refuse every channel's HTTP callbacks with it. Their state
  // is in the body and in answerbridge_channel_connected.
  app.get('/readyz', async (_req, res) => {
    const ready = await redisAnswers(redis);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'redis unavailable',
      connections: connections.map(({ channel, connection: c }) => ({ channel, name: c.name, connected: c.connected })),
    });
  });
  ctx.metrics.gauge(
    'answerbridge_channel_connected',
    'Connections of this gateway held to the platforms (DingTalk Stream sockets …): 1 connected, 0 reconnecting.',
    ['channel', 'connection'],
    async () =>
      connections.map(({ channel, connection: c }) => ({
        labels: { channel, connection: c.name },
        value: c.connected ? 1 : 0,
      })),
  );
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'GATEWAY.NOT_FOUND', message: 'no such route' });
  });
  app.use(errorHandler(ctx));

  const { server, url } = await listen(
    app,
    config.GATEWAY_HOST,
    config.GATEWAY_PORT,
    callbackServerTimeouts(config.GATEWAY_REQUEST_TIMEOUT_MS),
  );
  log.info({ url, bots: [...ctx.bots.keys()], connections: connections.length }, 'gateway listening');

  return {
    url,
    server,
    connections,
    async close() {
      await Promise.all(connections.map(({ connection }) => connection.stop()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await ctx.producer.close();
      await redis.quit().catch(() => undefined);
    },
  };
}
