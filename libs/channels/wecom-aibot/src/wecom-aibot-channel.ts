import {
  ConfigurationError,
  type ChannelDefinition,
  type ChannelGateway,
  type KeyValueStore,
} from '@answerbridge/core';
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

export interface WecomAibotChannelOptions {
  /**
   * The lease and outbox of the long-connection mode, over the store the apps give the channel (libs/redis's
   * `channelRelayOver`: the same Redis). Built once per gateway or worker, only when a bot uses `ws`; without
   * it such a bot stops the process at boot.
   */
  relay?: (store: KeyValueStore) => AibotRelay;
}

/** The WeCom AI bot (智能机器人) channel: URL回调 (encrypted JSON callbacks, streamed replies) and 长连接 (WebSocket). */
export function createWecomAibotChannel(
  options: WecomAibotChannelOptions = {},
): ChannelDefinition<AibotBot, AibotSettings> {
  const relayFor = (store: KeyValueStore, bots: AibotBot[]): AibotRelay | null => {
    if (!bots.some((b) => b.mode === 'ws')) return null;
    if (!options.relay)
      throw new ConfigurationError('AIBOT.NO_RELAY', 'AI bots in long-connection mode (ws) need the relay (Redis)');
    return options.relay(store);
  };
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
        const relay = bot.mode === 'ws' ? relayFor(ctx.store, [bot]) : null;
        if (!relay || !bot.aibotId || !bot.secret) return [];
        const credentials = { ...bot, aibotId: bot.aibotId, secret: bot.secret };
        return [new AibotLongConnection(ctx, credentials, inbound, streams, relay)];
      });
      return { routes: aibotHttpRoutes(ctx, inbound), connections };
    },
    sender(ctx) {
      const streams = new AibotStreams(ctx.store, ctx.settings.WECOM_AIBOT_STREAM_WINDOW_SECONDS * 1000);
      return new AibotSender(ctx, streams, relayFor(ctx.store, ctx.bots));
    },
  };
}

/** The channel without a relay: URL回调 bots only. */
export const wecomAibotChannel = createWecomAibotChannel();
