import { InMemoryAibotRelay } from '@answerbridge/channel-wecom-aibot';
import { describe, expect, it } from 'vitest';
import { dingTalkChannel } from '@answerbridge/channel-dingtalk';
import { BotSchema, ConfigError } from '@answerbridge/config';
import { InboundMessageSchema, OutboundReplySchema, RejectedInputError } from '@answerbridge/core';
import {
  botsOf,
  channelLabels,
  channelRegistry,
  channelSettingNames,
  channelSettings,
  configureChannels,
  parseChannelBots,
  validReplyTarget,
} from './channel-registry';

const wecomBot = {
  id: 'hr',
  channel: 'wecom',
  corpId: 'ww1',
  agentId: 1000002,
  token: 't',
  encodingAesKey: 'a'.repeat(43),
  secret: 's',
};
const dingBot = { id: 'ding', channel: 'dingtalk', clientId: 'dingkey', clientSecret: 's' };
const asFile = (...bots: unknown[]) => bots.map((b) => BotSchema.parse(b));

describe('the channel registry', () => {
  it('holds each channel once, with a safe name and labels for screens', () => {
    const names = channelRegistry.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]{0,31}$/);
    expect(channelLabels()).toContainEqual({ name: dingTalkChannel.name, label: { zh: '钉钉', en: 'DingTalk' } });
  });

  it("checks each bot against its channel's schema, with its defaults", () => {
    const [wecom, ding] = parseChannelBots(asFile(wecomBot, dingBot));
    expect(wecom).toMatchObject({ id: 'hr', agentId: 1000002 });
    expect(ding).toMatchObject({ id: 'ding', mode: 'stream' });
    // The language is the bots file's or none: unset, each question is decided in the language it is written in.
    expect(wecom?.language).toBeUndefined();
    expect(botsOf(dingTalkChannel, asFile(wecomBot, dingBot)).map((b) => b.id)).toEqual(['ding']);
  });

  it.each([
    [{ ...wecomBot, channel: 'wechat' }, /bot "hr": unknown channel 'wechat' \(known: wecom, dingtalk[^)]*\)/],
    [{ ...wecomBot, encodingAesKey: 'short' }, /bot "hr" \(wecom\): encodingAesKey: encodingAesKey must be 43/],
    [{ ...dingBot, mode: 'webhook' }, /bot "ding" \(dingtalk\): mode: /],
    [{ ...dingBot, clientId: undefined }, /bot "ding" \(dingtalk\): clientId: /],
  ])('refuses a bad bot with its channel and field (%#)', (bot, message) => {
    expect(() => parseChannelBots(asFile(bot))).toThrow(ConfigError);
    expect(() => parseChannelBots(asFile(bot))).toThrow(message);
  });

  it("parses each channel's settings from the environment snapshot, defaults included", () => {
    const settings = channelSettings(dingTalkChannel, {
      DINGTALK_WEBHOOK_ORIGINS: 'https://a.example/, https://b.example',
    });
    expect(settings).toMatchObject({
      DINGTALK_API_BASE_URL: 'https://api.dingtalk.com',
      DINGTALK_WEBHOOK_ORIGINS: ['https://a.example', 'https://b.example'],
    });
    expect(channelSettingNames()).toEqual(
      expect.arrayContaining(['WECOM_API_BASE_URL', 'DINGTALK_WEBHOOK_ORIGINS', 'AGENT_NOTIFY_WECOM_WEBHOOK_KEY']),
    );
  });

  it.each([
    [
      { DINGTALK_WEBHOOK_ORIGINS: 'https://oapi.dingtalk.com/robot' },
      /DINGTALK_WEBHOOK_ORIGINS: "https:\/\/oapi.dingtalk.com\/robot" is not an origin/,
    ],
    [
      { AGENT_NOTIFY_DINGTALK_BOT: 'ding' },
      /AGENT_NOTIFY_DINGTALK_BOT and AGENT_NOTIFY_DINGTALK_CONVERSATION_ID go together/,
    ],
    [{ WECOM_API_TIMEOUT_MS: 'soon' }, /\(wecom\): WECOM_API_TIMEOUT_MS/],
  ])('refuses a bad setting with its name (%#)', (environment, message) => {
    expect(() => configureChannels({ bots: asFile(wecomBot, dingBot), environment })).toThrow(ConfigError);
    expect(() => configureChannels({ bots: asFile(wecomBot, dingBot), environment })).toThrow(message);
  });

  it('refuses an agents’ group on a bot that is not one of the channel’s', () => {
    const [ding] = configureChannels({
      bots: asFile(wecomBot, dingBot),
      environment: { AGENT_NOTIFY_DINGTALK_BOT: 'hr', AGENT_NOTIFY_DINGTALK_CONVERSATION_ID: 'cidAgents' },
    }).filter((c) => c.definition === dingTalkChannel);
    expect(ding).toBeDefined();
    expect(() =>
      ding?.definition.agentGroups?.({
        bots: ding.bots,
        settings: ding.settings,
        relay: () => new InMemoryAibotRelay(),
        store: {
          get: async () => null,
          set: async () => undefined,
          setIfAbsent: async () => true,
          deleteIfEquals: async () => true,
        },
        http: () => {
          throw new Error('not called');
        },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        nowMs: Date.now,
        countApiError: () => undefined,
      }),
    ).toThrow(/AGENT_NOTIFY_DINGTALK_BOT hr is not a DingTalk bot/);
  });

  it("validates a reply target against its channel's schema", () => {
    const target = { channel: 'wecom', toUser: 'alice', agentId: 1000002 };
    expect(validReplyTarget(target)).toEqual(target);
    expect(() => validReplyTarget({ channel: 'wechat', toUser: 'alice' })).toThrow(/unknown channel 'wechat'/);
    expect(() => validReplyTarget({ channel: 'wecom', agentId: 1 })).toThrow(RejectedInputError);
    expect(() => validReplyTarget({ channel: 'dingtalk', robotCode: 'r', chatType: 'direct' })).toThrow(
      /reply target of dingtalk: staffId/,
    );
  });

  it('still parses jobs queued before the channel port (persisted contract)', () => {
    const inbound = {
      id: 'wecom-hr-1',
      channel: 'wecom',
      botId: 'hr',
      platformMessageId: '1',
      conversationId: 'wecom/hr/alice',
      chatType: 'direct',
      senderId: 'alice',
      kind: 'text',
      text: '怎么请假？',
      sentAt: 1,
      receivedAt: 2,
      replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1000002 },
    };
    expect(InboundMessageSchema.parse(inbound)).toEqual(inbound);
    const reply = {
      id: 'reply-x',
      botId: 'ding',
      inReplyTo: 'x',
      text: '答案',
      target: {
        channel: 'dingtalk',
        robotCode: 'dingkey',
        chatType: 'group',
        openConversationId: 'cid1',
        staffId: 'zhangsan',
        sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=s',
        sessionWebhookExpiresAt: 3,
      },
    };
    expect(OutboundReplySchema.parse(reply)).toEqual(reply);
    expect(validReplyTarget(OutboundReplySchema.parse(reply).target)).toEqual(reply.target);
    expect(() => InboundMessageSchema.parse({ ...inbound, channel: 'WeCom!' })).toThrow();
  });
});
