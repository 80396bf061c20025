import type { DingTalkBotConfig } from '@answerbridge/config';
import { RejectedInputError } from '@answerbridge/core';
import { SignatureLedger, openHttpCallback } from '@answerbridge/channel-dingtalk';
import { acceptInbound } from '@answerbridge/pipeline';
import { RedisKeyValueStore } from '@answerbridge/redis';
import type { Express, Request } from 'express';
import { reportRefusedWebhook } from './dingtalk-refused-webhook';
import type { GatewayContext } from './gateway-context';
import { readTextBody } from './read-text-body';

/** DingTalk HTTP callback mode: signed headers, JSON body, the same path into the queue as Stream mode. */
export function registerDingTalkRoutes(app: Express, ctx: GatewayContext): void {
  const botFor = (req: Request): DingTalkBotConfig => {
    const bot = ctx.bots.get(String(req.params.botId));
    if (!bot || bot.channel !== 'dingtalk')
      throw new RejectedInputError('GATEWAY.UNKNOWN_BOT', 'no such DingTalk bot', 404);
    return bot;
  };
  // Shared by every replica, so a signature cannot be used with a second body at another replica either.
  const signatures = new SignatureLedger(
    new RedisKeyValueStore(ctx.redis, ctx.config.QUEUE_PREFIX),
    ctx.config.DINGTALK_CALLBACK_MAX_SKEW_SECONDS,
  );

  app.post('/dingtalk/:botId/callback', readTextBody(ctx.config.GATEWAY_BODY_LIMIT_BYTES), async (req, res) => {
    const bot = botFor(req);
    const parsed = await openHttpCallback(
      bot,
      { timestamp: req.get('timestamp'), sign: req.get('sign') },
      String(req.body ?? ''),
      {
        nowMs: Date.now(),
        maxSkewSeconds: ctx.config.DINGTALK_CALLBACK_MAX_SKEW_SECONDS,
        webhookOrigins: ctx.config.DINGTALK_WEBHOOK_ORIGINS,
        signatures,
      },
    );
    if ('ignored' in parsed) {
      ctx.metrics.callbacks.inc({ channel: 'dingtalk', result: 'ignored' });
      return void res.json({});
    }
    reportRefusedWebhook(ctx, bot, parsed);
    const result = await ctx.metrics.time('enqueue', () => acceptInbound(ctx.producer, parsed.message));
    ctx.metrics.callbacks.inc({ channel: 'dingtalk', result: result.duplicate ? 'duplicate' : 'accepted' });
    res.json({});
  });
}
