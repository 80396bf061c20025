import {
  ConfigurationError,
  RejectedInputError,
  type ChannelConnection,
  type ChannelDefinition,
  type ChannelGatewayContext,
  type ChannelHttpRequest,
  type ChannelRoute,
} from '@answerbridge/core';
import { DingTalkApiClient } from './dingtalk-api-client';
import {
  DingTalkBotSchema,
  DingTalkReplyTargetSchema,
  DingTalkSettingsSchema,
  type DingTalkBotConfig,
  type DingTalkSettings,
} from './dingtalk-bot';
import { openHttpCallback } from './dingtalk-http-callback';
import { normalizeRobotMessage, parseRobotMessage, type ParsedRobotMessage } from './dingtalk-message';
import { DingTalkSender } from './dingtalk-sender';
import { DingTalkStreamConnection } from './dingtalk-stream-connection';
import { SignatureLedger } from './signature-ledger';

const NAME = 'dingtalk';
type GatewayContext = ChannelGatewayContext<DingTalkBotConfig, DingTalkSettings>;

/**
 * Says so when a message's sessionWebhook was dropped (its reply goes through the OpenAPI). Either
 * DINGTALK_WEBHOOK_ORIGINS lacks a host DingTalk really uses, or, in HTTP mode, someone holding a signed
 * header pair wrote the body to point the bot's answer elsewhere: worth an alert either way.
 */
function reportRefusedWebhook(ctx: GatewayContext, bot: DingTalkBotConfig, parsed: ParsedRobotMessage): void {
  if (!('message' in parsed) || !parsed.refusedSessionWebhook) return;
  const { origin, reason } = parsed.refusedSessionWebhook;
  ctx.countApiError('SESSION_WEBHOOK_REFUSED');
  ctx.logger.warn(
    {
      code: 'DINGTALK.SESSION_WEBHOOK_REFUSED',
      bot: bot.id,
      mode: bot.mode,
      webhookOrigin: origin,
      reason,
      msgId: parsed.message.platformMessageId,
    },
    'dingtalk sessionWebhook not allowed (DINGTALK_WEBHOOK_ORIGINS); the reply goes through the OpenAPI',
  );
}

/** Queues a parsed robot message (or counts it ignored): the same path for HTTP callbacks and Stream frames. */
async function acceptParsed(ctx: GatewayContext, bot: DingTalkBotConfig, parsed: ParsedRobotMessage): Promise<void> {
  if ('ignored' in parsed) return ctx.countCallback('ignored');
  reportRefusedWebhook(ctx, bot, parsed);
  const result = await ctx.accept(parsed.message);
  ctx.countCallback(result.duplicate ? 'duplicate' : 'accepted');
}

/** DingTalk HTTP callback mode: signed headers, JSON body, the same path into the queue as Stream mode. */
function httpRoutes(ctx: GatewayContext): ChannelRoute[] {
  const bots = new Map(ctx.bots.map((b) => [b.id, b]));
  const botFor = (request: ChannelHttpRequest): DingTalkBotConfig => {
    const bot = bots.get(request.params.botId ?? '');
    if (!bot) throw new RejectedInputError('GATEWAY.UNKNOWN_BOT', 'no such DingTalk bot', 404);
    return bot;
  };
  // Shared by every replica, so a signature cannot be used with a second body at another replica either.
  const signatures = new SignatureLedger(ctx.store, ctx.settings.DINGTALK_CALLBACK_MAX_SKEW_SECONDS);
  return [
    {
      method: 'POST',
      path: `/${NAME}/:botId/callback`,
      async handle(request) {
        const bot = botFor(request);
        const parsed = await openHttpCallback(
          bot,
          { timestamp: request.headers['timestamp'], sign: request.headers['sign'] },
          request.body,
          {
            nowMs: ctx.nowMs(),
            maxSkewSeconds: ctx.settings.DINGTALK_CALLBACK_MAX_SKEW_SECONDS,
            webhookOrigins: ctx.settings.DINGTALK_WEBHOOK_ORIGINS,
            signatures,
          },
        );
        await acceptParsed(ctx, bot, parsed);
        return { status: 200, contentType: 'application/json; charset=utf-8', body: '{}' };
      },
    },
  ];
}

/**
 * One Stream connection per DingTalk bot in Stream mode, held by this gateway replica. A robot frame
 * is acked only once its message is in Redis; a frame we refuse (malformed, another robot, a group
 * message not addressed to us) is logged and acked, so DingTalk does not push it again.
 */
function streamConnections(ctx: GatewayContext): ChannelConnection[] {
  return ctx.bots
    .filter((bot) => bot.mode === 'stream')
    .map(
      (bot) =>
        new DingTalkStreamConnection({
          clientId: bot.clientId,
          clientSecret: bot.clientSecret,
          apiBaseUrl: ctx.settings.DINGTALK_API_BASE_URL,
          watchdogMs: ctx.settings.DINGTALK_STREAM_WATCHDOG_SECONDS * 1000,
          logger: ctx.logger,
          onRobotMessage: async (data) => {
            let parsed;
            try {
              // The socket is opened with the app's credentials, so the frame is DingTalk's: a missing robotCode is not
              // refused here (it is in HTTP mode), but a sessionWebhook outside the allowed origins still is.
              parsed = normalizeRobotMessage(bot, parseRobotMessage(JSON.parse(data)), {
                nowMs: ctx.nowMs(),
                webhookOrigins: ctx.settings.DINGTALK_WEBHOOK_ORIGINS,
                requireRobotCode: false,
              });
            } catch (error) {
              const reason = error instanceof RejectedInputError ? error.message : 'data is not JSON';
              ctx.logger.warn({ bot: bot.id, reason }, 'dingtalk frame refused (acked and dropped)');
              ctx.countCallback('rejected_frame');
              return;
            }
            await acceptParsed(ctx, bot, parsed);
          },
        }),
    );
}

/** A DingTalk internal app's robot: Stream mode (or HTTP callbacks) in, sessionWebhook or OpenAPI out. */
export const dingTalkChannel: ChannelDefinition<DingTalkBotConfig, DingTalkSettings> = {
  name: NAME,
  label: { zh: '钉钉', en: 'DingTalk' },
  botSchema: DingTalkBotSchema,
  replyTargetSchema: DingTalkReplyTargetSchema,
  settingsSchema: DingTalkSettingsSchema,
  gateway: (ctx) => ({ routes: httpRoutes(ctx), connections: streamConnections(ctx) }),
  sender(ctx) {
    const clients = new Map(
      ctx.bots.map((bot) => [
        bot.id,
        new DingTalkApiClient({
          baseUrl: ctx.settings.DINGTALK_API_BASE_URL,
          appKey: bot.clientId,
          appSecret: bot.clientSecret,
          store: ctx.store,
          timeoutMs: ctx.settings.DINGTALK_API_TIMEOUT_MS,
          onApiError: (code) => ctx.countApiError(code),
        }),
      ]),
    );
    return new DingTalkSender((id) => clients.get(id), ctx.store, {
      webhookOrigins: ctx.settings.DINGTALK_WEBHOOK_ORIGINS,
      timeoutMs: ctx.settings.DINGTALK_API_TIMEOUT_MS,
      // The gateway already dropped such webhooks; one reaching here was queued by an older gateway or another path.
      onWebhookRefused: () => ctx.countApiError('SESSION_WEBHOOK_REFUSED'),
    });
  },
  /** The agents' DingTalk group, which one of our robots is a member of: posted to through the OpenAPI. */
  agentGroups(ctx) {
    const { AGENT_NOTIFY_DINGTALK_BOT: botId, AGENT_NOTIFY_DINGTALK_CONVERSATION_ID: conversationId } = ctx.settings;
    if (!botId || !conversationId) return [];
    const bot = ctx.bots.find((b) => b.id === botId);
    if (!bot)
      throw new ConfigurationError(
        'CONFIG.INVALID',
        `invalid configuration: AGENT_NOTIFY_DINGTALK_BOT ${botId} is not a DingTalk bot in the bots file`,
      );
    const client = new DingTalkApiClient({
      baseUrl: ctx.settings.DINGTALK_API_BASE_URL,
      appKey: bot.clientId,
      appSecret: bot.clientSecret,
      store: ctx.store,
      timeoutMs: ctx.settings.DINGTALK_API_TIMEOUT_MS,
      onApiError: (code) => ctx.countApiError(code),
    });
    const robotCode = bot.robotCode ?? bot.clientId;
    return [
      {
        name: 'dingtalk-group',
        send: (text) => client.sendToGroup(robotCode, conversationId, 'sampleText', { content: text }),
      },
    ];
  },
};
