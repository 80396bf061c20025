import type { ChannelDefinition, ChannelGateway } from '@answerbridge/core';
import { AibotInbound } from './aibot-inbound';
import { aibotHttpRoutes } from './aibot-http-routes';
import { AibotLongConnection } from './aibot-long-connection';
import type { AibotRelay } from './aibot-relay';
import {
  AIBOT_CHANNEL,
  AibotBotSchema,
  AibotReplyTargetSchema,
  AibotSettingsSchema,
  type AibotBot,
  type AibotSettings,
} from './aibot-schemas';
import { AibotSender } from './aibot-sender';
import { AibotStreams } from './aibot-streams';

/** The WeCom AI bot (智能机器人) channel: URL回调 (encrypted JSON callbacks, streamed replies) and 长连接 (WebSocket). */
export function createWecomAibotChannel(): ChannelDefinition<AibotBot, AibotSettings> {
  // The lease and outbox exist only where a bot uses the long connection.
  const relayFor = (ctx: { relay(): AibotRelay }, bots: AibotBot[]): AibotRelay | null =>
    bots.some((b) => b.mode === 'ws') ? ctx.relay() : null;
  return {
    name: AIBOT_CHANNEL,
    label: { zh: '企业微信智能机器人', en: 'WeCom AI bot' },
    botSchema: AibotBotSchema,
    replyTargetSchema: AibotReplyTargetSchema,
    settingsSchema: AibotSettingsSchema,
    gateway(ctx): ChannelGateway {
      const streams = new AibotStreams(ctx.store, ctx.settings.WECOM_AIBOT_STREAM_WINDOW_SECONDS * 1000);
      const inbound = new AibotInbound(ctx, streams);
      // One relay per connection: its blocking takes hold a Redis connection of their own, closed with it.
      const connections = ctx.bots.flatMap((bot) => {
        const relay = relayFor(ctx, [bot]);
        if (!relay || !bot.aibotId || !bot.secret) return [];
        const credentials = { ...bot, aibotId: bot.aibotId, secret: bot.secret };
        return [new AibotLongConnection(ctx, credentials, inbound, streams, relay)];
      });
      return { routes: aibotHttpRoutes(ctx, inbound), connections };
    },
    sender(ctx) {
      const streams = new AibotStreams(ctx.store, ctx.settings.WECOM_AIBOT_STREAM_WINDOW_SECONDS * 1000);
      return new AibotSender(ctx, streams, relayFor(ctx, ctx.bots));
    },
  };
}

export const wecomAibotChannel = createWecomAibotChannel();
