import type { WecomBotConfig } from '@answerbridge/config';
import { RejectedInputError } from '@answerbridge/core';
import { openCallback, parseCallbackQuery, verifyCallbackUrl } from '@answerbridge/channel-wecom';
import { acceptInbound } from '@answerbridge/pipeline';
import type { Express, Request } from 'express';
import type { GatewayContext } from './gateway-context';
import { readTextBody } from './read-text-body';

function rawQuery(req: Request): string {
  const at = req.originalUrl.indexOf('?');
  return at === -1 ? '' : req.originalUrl.slice(at + 1);
}

/**
 * WeCom self-built app callbacks: URL verification (GET) and encrypted messages (POST). Registered on
 * the app itself rather than a nested Router, which costs a prefix-trimming pass per request.
 */
export function registerWecomRoutes(router: Express, ctx: GatewayContext): void {
  const botFor = (req: Request): WecomBotConfig => {
    const bot = ctx.bots.get(String(req.params.botId));
    if (!bot || bot.channel !== 'wecom') throw new RejectedInputError('GATEWAY.UNKNOWN_BOT', 'no such WeCom bot', 404);
    return bot;
  };
  const checks = () => ({ nowMs: Date.now(), maxSkewSeconds: ctx.config.CALLBACK_MAX_SKEW_SECONDS });

  router.get('/wecom/:botId/callback', (req, res) => {
    const bot = botFor(req);
    const echo = verifyCallbackUrl(bot, parseCallbackQuery(rawQuery(req), { requireEchostr: true }), checks());
    ctx.metrics.callbacks.inc({ channel: 'wecom', result: 'url_verified' });
    // WeCom wants the bare plaintext: no quotes, no BOM, no newline.
    res.type('text/plain').send(echo);
  });

  router.post('/wecom/:botId/callback', readTextBody(ctx.config.GATEWAY_BODY_LIMIT_BYTES), async (req, res) => {
    const bot = botFor(req);
    const query = parseCallbackQuery(rawQuery(req));
    if (typeof req.body !== 'string' || req.body.length === 0)
      throw new RejectedInputError('WECOM.EMPTY_BODY', 'empty body', 400);
    const message = openCallback(bot, query, req.body, checks());
    const result = await ctx.metrics.time('enqueue', () => acceptInbound(ctx.producer, message));
    ctx.metrics.callbacks.inc({ channel: 'wecom', result: result.duplicate ? 'duplicate' : 'accepted' });
    ctx.logger.debug({ messageId: message.id, jobId: result.jobId, duplicate: result.duplicate }, 'callback accepted');
    // Empty 200: WeCom's documented "received, no passive reply"; the answer goes out via message/send.
    res.status(200).end();
  });
}
