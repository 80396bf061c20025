import { ConfigurationError, HttpClient, type ChannelConnection, type ChannelHttpRequest } from '@answerbridge/core';
import { acceptInbound, configureChannels } from '@answerbridge/pipeline';
import { RedisChannelRelay, RedisDecisionLog, RedisKeyValueStore } from '@answerbridge/redis';
import type { Express, Request, RequestHandler } from 'express';
import type { GatewayContext } from './gateway-context';
import { readTextBody } from './read-text-body';

/** A connection held by this replica, with the channel it belongs to. */
export interface RunningConnection {
  channel: string;
  connection: ChannelConnection;
}

function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at + 1);
}

/** The request as the channel port describes it: no express types reach the channel libs. */
function channelRequest(req: Request, method: 'GET' | 'POST'): ChannelHttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method,
    params: Object.fromEntries(Object.entries(req.params ?? {}).map(([k, v]) => [k, String(v)])),
    rawQuery: rawQuery(req),
    headers,
    body: method === 'POST' ? String(req.body ?? '') : '',
  };
}

/**
 * Builds every channel of the registry for this replica: mounts each channel's routes on the app itself (a
 * nested Router costs a prefix-trimming pass per request), POST bodies held to GATEWAY_BODY_LIMIT_BYTES by
 * readTextBody, errors answered by the one error handler; then starts each channel's connections.
 */
export function startChannels(app: Express, ctx: GatewayContext): RunningConnection[] {
  const store = new RedisKeyValueStore(ctx.redis, ctx.config.QUEUE_PREFIX);
  // Feedback on answers joins the worker's decision log (Redis): the console copies both into PostgreSQL.
  const decisions = new RedisDecisionLog(ctx.redis, ctx.config.QUEUE_PREFIX, {
    retentionMs: ctx.config.DATA_RETENTION_DAYS * 86_400_000,
  });
  const mounted = new Set<string>();
  const running: RunningConnection[] = [];
  for (const { definition, bots, settings } of configureChannels(ctx.config)) {
    const channel = definition.name;
    const side = definition.gateway({
      bots,
      settings,
      store,
      // The relay's keys sit beside the store's (`<prefix>:kv:relay:…`).
      relay: () => new RedisChannelRelay(ctx.redis, `${ctx.config.QUEUE_PREFIX}:kv`),
      http: (options) => new HttpClient(options),
      logger: ctx.logger,
      nowMs: Date.now,
      countApiError: (code) => ctx.metrics.channelErrors.inc({ channel, code }),
      countCallback: (result) => ctx.metrics.callbacks.inc({ channel, result }),
      recordFeedback: (feedback) => decisions.recordFeedback(feedback),
      accept: (message) => ctx.metrics.time('enqueue', () => acceptInbound(ctx.producer, message)),
    });
    for (const route of side.routes) {
      // The first segment names the channel: the error handler counts refusals under it.
      const key = `${route.method} ${route.path}`;
      if (!route.path.startsWith(`/${channel}/`) || mounted.has(key))
        throw new ConfigurationError(
          'GATEWAY.BAD_ROUTE',
          `channel ${channel}: route ${key} must start with /${channel}/ and be the only one of its method and path`,
        );
      mounted.add(key);
      const handler: RequestHandler = async (req, res) => {
        const answer = await route.handle(channelRequest(req, route.method));
        res.status(answer.status);
        if (answer.body === '' && answer.contentType === undefined) return void res.end();
        res.setHeader('content-type', answer.contentType ?? 'text/plain; charset=utf-8');
        res.send(answer.body);
      };
      if (route.method === 'GET') app.get(route.path, handler);
      else app.post(route.path, readTextBody(ctx.config.GATEWAY_BODY_LIMIT_BYTES), handler);
    }
    for (const connection of side.connections) {
      connection.start();
      running.push({ channel, connection });
    }
  }
  return running;
}
