import {
  RejectedInputError,
  type ChannelHttpRequest,
  type ChannelHttpResponse,
  type ChannelRoute,
} from '@answerbridge/core';
import { openAibotCallback, sealAibotReply, verifyAibotUrl, type AibotKeys } from './aibot-envelope';
import { parseAibotCallback } from './aibot-callback';
import type { AibotGatewayContext, AibotInbound, InboundOutcome } from './aibot-inbound';
import type { AibotBot } from './aibot-schemas';

export const AIBOT_CALLBACK_PATH = '/wecom-aibot/:botId/callback';

/** What the reply's plaintext is for an outcome (doc 101031); null: an empty 200. */
export function replyPlaintext(outcome: InboundOutcome): string | null {
  switch (outcome.kind) {
    case 'stream':
      return JSON.stringify({ msgtype: 'stream', stream: outcome.stream });
    case 'welcome':
      return JSON.stringify({ msgtype: 'text', text: { content: outcome.text } });
    case 'empty':
      return null;
  }
}

/**
 * URL回调 mode: GET verifies the URL (answer the bare echo within 1 s), POST carries an encrypted JSON
 * callback, answered at once with an encrypted reply (a stream placeholder, a refresh's snapshot, a welcome)
 * or an empty 200. The answer itself comes later, through the refreshes (any replica) or response_url.
 */
export function aibotHttpRoutes(ctx: AibotGatewayContext, inbound: AibotInbound): ChannelRoute[] {
  const botFor = (request: ChannelHttpRequest): AibotBot & AibotKeys => {
    const bot = ctx.bots.find((b) => b.id === request.params.botId && b.mode === 'http');
    if (!bot?.token || !bot.encodingAesKey)
      throw new RejectedInputError('GATEWAY.UNKNOWN_BOT', 'no such AI bot (URL回调 mode)', 404);
    return { ...bot, token: bot.token, encodingAesKey: bot.encodingAesKey };
  };
  const check = () => ({
    nowMs: ctx.nowMs(),
    maxSkewSeconds: ctx.settings.WECOM_AIBOT_CALLBACK_MAX_SKEW_SECONDS,
  });
  return [
    {
      method: 'GET',
      path: AIBOT_CALLBACK_PATH,
      async handle(request): Promise<ChannelHttpResponse> {
        const echo = verifyAibotUrl(botFor(request), request.rawQuery, check());
        ctx.countCallback('url_verified');
        return { status: 200, body: echo };
      },
    },
    {
      method: 'POST',
      path: AIBOT_CALLBACK_PATH,
      async handle(request): Promise<ChannelHttpResponse> {
        const bot = botFor(request);
        const { query, plaintext } = openAibotCallback(bot, request.rawQuery, request.body, check());
        const outcome = await inbound.handle(bot, parseAibotCallback(plaintext), { mode: 'http' });
        const reply = replyPlaintext(outcome);
        if (reply === null) return { status: 200, body: '' };
        return {
          status: 200,
          contentType: 'text/plain; charset=utf-8',
          body: sealAibotReply(bot, reply, query.timestamp, query.nonce),
        };
      },
    },
  ];
}
