import {
  RejectedInputError,
  type ChannelDefinition,
  type ChannelGatewayContext,
  type ChannelHttpRequest,
  type ChannelRoute,
} from '@answerbridge/core';
import {
  WecomBotSchema,
  WecomReplyTargetSchema,
  WecomSettingsSchema,
  type WecomBotConfig,
  type WecomSettings,
} from './wecom-bot';
import { WecomApiClient } from './wecom-api-client';
import { openCallback, parseCallbackQuery, verifyCallbackUrl } from './wecom-callback';
import { WecomGroupRobot } from './wecom-group-robot';
import { WecomSender } from './wecom-sender';

const NAME = 'wecom';

/**
 * WeCom self-built app callbacks: URL verification (GET) and encrypted messages (POST), both on
 * `/wecom/:botId/callback`.
 */
function wecomRoutes(ctx: ChannelGatewayContext<WecomBotConfig, WecomSettings>): ChannelRoute[] {
  const bots = new Map(ctx.bots.map((b) => [b.id, b]));
  const botFor = (request: ChannelHttpRequest): WecomBotConfig => {
    const bot = bots.get(request.params.botId ?? '');
    if (!bot) throw new RejectedInputError('GATEWAY.UNKNOWN_BOT', 'no such WeCom bot', 404);
    return bot;
  };
  const checks = () => ({ nowMs: ctx.nowMs(), maxSkewSeconds: ctx.settings.CALLBACK_MAX_SKEW_SECONDS });
  const path = `/${NAME}/:botId/callback`;
  return [
    {
      method: 'GET',
      path,
      async handle(request) {
        const bot = botFor(request);
        const echo = verifyCallbackUrl(bot, parseCallbackQuery(request.rawQuery, { requireEchostr: true }), checks());
        ctx.countCallback('url_verified');
        // WeCom wants the bare plaintext: no quotes, no BOM, no newline.
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: echo };
      },
    },
    {
      method: 'POST',
      path,
      async handle(request) {
        const bot = botFor(request);
        const query = parseCallbackQuery(request.rawQuery);
        if (request.body.length === 0) throw new RejectedInputError('WECOM.EMPTY_BODY', 'empty body', 400);
        const message = openCallback(bot, query, request.body, checks());
        const result = await ctx.accept(message);
        ctx.countCallback(result.duplicate ? 'duplicate' : 'accepted');
        ctx.logger.debug(
          { messageId: message.id, jobId: result.jobId, duplicate: result.duplicate },
          'callback accepted',
        );
        // Empty 200: WeCom's documented "received, no passive reply"; the answer goes out via message/send.
        return { status: 200, body: '' };
      },
    },
  ];
}

/** The WeCom self-built app (自建应用): callbacks over HTTP, replies through message/send. */
export const wecomChannel: ChannelDefinition<WecomBotConfig, WecomSettings> = {
  name: NAME,
  label: { zh: '企业微信', en: 'WeCom' },
  botSchema: WecomBotSchema,
  replyTargetSchema: WecomReplyTargetSchema,
  settingsSchema: WecomSettingsSchema,
  gateway: (ctx) => ({ routes: wecomRoutes(ctx), connections: [] }),
  sender(ctx) {
    const clients = new Map(
      ctx.bots.map((bot) => [
        bot.id,
        new WecomApiClient({
          baseUrl: ctx.settings.WECOM_API_BASE_URL,
          corpId: bot.corpId,
          agentId: bot.agentId,
          secret: bot.secret,
          store: ctx.store,
          timeoutMs: ctx.settings.WECOM_API_TIMEOUT_MS,
          onApiError: (code) => ctx.countApiError(String(code)),
        }),
      ]),
    );
    return new WecomSender((id) => clients.get(id), ctx.store);
  },
  agentGroups(ctx) {
    const key = ctx.settings.AGENT_NOTIFY_WECOM_WEBHOOK_KEY;
    if (!key) return [];
    const robot = new WecomGroupRobot(ctx.settings.WECOM_API_BASE_URL, key);
    return [{ name: 'wecom-robot', send: (text) => robot.sendText(text) }];
  },
};
