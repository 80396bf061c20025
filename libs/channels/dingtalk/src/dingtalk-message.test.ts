import { describe, expect, it } from 'vitest';
import type { DingTalkBotConfig } from './dingtalk-bot';
import { normalizeRobotMessage, parseRobotMessage } from './dingtalk-message';
import { looksLikeMarkdown } from './dingtalk-sender';

const bot: DingTalkBotConfig = {
  id: 'dt',
  channel: 'dingtalk',
  clientId: 'dingabc',
  clientSecret: 's',
  mode: 'stream',
  robotName: '小助手',
  language: 'zh',
};
const origins = ['https://oapi.dingtalk.com', 'https://api.dingtalk.com'];
const stream = { nowMs: 1_690_363_902_152, webhookOrigins: origins, requireRobotCode: false };
const http = { nowMs: 1_690_363_902_152, webhookOrigins: origins, requireRobotCode: true };
const base = {
  msgId: 'msgLICYe+/HgY4JtMQw==',
  msgtype: 'text',
  conversationId: 'cidAsXSBLnA==',
  conversationType: '1',
  senderId: '$:LWCP_v1:$abc',
  senderStaffId: 'manager4220',
  robotCode: 'dingabc',
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
  sessionWebhookExpiredTime: 1690367502152,
  createAt: 1690362101894,
  text: { content: ' 年假有几天' },
};

describe('normalizeRobotMessage', () => {
  it('normalizes a direct text message with a hashed, job-safe id', () => {
    const out = normalizeRobotMessage(bot, parseRobotMessage(base), stream);
    if (!('message' in out)) throw new Error('ignored');
    expect(out.message).toMatchObject({
      channel: 'dingtalk',
      chatType: 'direct',
      text: '年假有几天',
      senderId: 'manager4220',
      conversationId: 'dingtalk/dt/manager4220',
      platformMessageId: base.msgId,
    });
    expect(out.message.id).toMatch(/^dingtalk-dt-[0-9a-f]{32}$/);
    expect(out.message.replyTarget).toMatchObject({
      channel: 'dingtalk',
      robotCode: 'dingabc',
      chatType: 'direct',
      staffId: 'manager4220',
      sessionWebhookExpiresAt: 1690367502152,
    });
  });

  it('gives each person in a group their own conversation, strips the @name, and ignores messages not @ the bot', () => {
    const group = { ...base, conversationType: '2', isInAtList: true, text: { content: '@小助手 @小助手 怎么请假' } };
    const out = normalizeRobotMessage(bot, parseRobotMessage(group), stream);
    if (!('message' in out)) throw new Error('ignored');
    expect(out.message).toMatchObject({
      chatType: 'group',
      text: '怎么请假',
      conversationId: 'dingtalk/dt/cidAsXSBLnA==/manager4220',
    });
    expect(out.message.replyTarget).toMatchObject({ openConversationId: 'cidAsXSBLnA==' });
    expect(normalizeRobotMessage(bot, parseRobotMessage({ ...group, isInAtList: false }), stream)).toEqual({
      ignored: 'group message not addressed to the bot',
    });
  });

  it('reads rich text and voice recognition; other types have no text', () => {
    const rich = normalizeRobotMessage(
      bot,
      parseRobotMessage({
        ...base,
        msgtype: 'richText',
        text: undefined,
        content: { richText: [{ text: '报销' }, { type: 'picture', downloadCode: 'd' }, { text: '流程' }] },
      }),
      stream,
    );
    expect('message' in rich && rich.message.text).toBe('报销流程');
    const voice = normalizeRobotMessage(
      bot,
      parseRobotMessage({ ...base, msgtype: 'audio', text: undefined, content: { recognition: '年假' } }),
      stream,
    );
    expect('message' in voice && voice.message).toMatchObject({ kind: 'voice', text: '年假' });
    const picture = normalizeRobotMessage(
      bot,
      parseRobotMessage({ ...base, msgtype: 'picture', text: undefined, content: { downloadCode: 'x' } }),
      stream,
    );
    expect('message' in picture && picture.message).toMatchObject({ kind: 'image', text: '' });
  });

  it('refuses malformed messages and other robots with clear errors', () => {
    expect(() => parseRobotMessage({ msgId: 'x' })).toThrow(/robot message: /);
    expect(() => parseRobotMessage({ ...base, conversationType: '3' })).toThrow(/conversationType/);
    expect(() => normalizeRobotMessage(bot, parseRobotMessage({ ...base, robotCode: 'other' }), stream)).toThrow(
      expect.objectContaining({ code: 'DINGTALK.UNKNOWN_ROBOT', status: 403 }),
    );
  });

  it('in HTTP mode refuses a body that names another robot or none (the signature does not cover it); Stream mode takes one that names none', () => {
    const { robotCode: _, ...anonymous } = base;
    expect(() => normalizeRobotMessage(bot, parseRobotMessage(anonymous), http)).toThrow(
      expect.objectContaining({ code: 'DINGTALK.MISSING_ROBOT_CODE', status: 403 }),
    );
    expect(() => normalizeRobotMessage(bot, parseRobotMessage({ ...base, robotCode: 'dingother' }), http)).toThrow(
      expect.objectContaining({ code: 'DINGTALK.UNKNOWN_ROBOT', status: 403 }),
    );
    expect(() => normalizeRobotMessage(bot, parseRobotMessage({ ...base, robotCode: '' }), http)).toThrow(
      expect.objectContaining({ code: 'DINGTALK.MISSING_ROBOT_CODE' }),
    );
    expect('message' in normalizeRobotMessage(bot, parseRobotMessage(base), http)).toBe(true);
    expect('message' in normalizeRobotMessage(bot, parseRobotMessage(anonymous), stream)).toBe(true);
    // A bot with its own robotCode (not the clientId) is matched on that.
    const coded = { ...bot, robotCode: 'dingrobot' };
    expect(() => normalizeRobotMessage(coded, parseRobotMessage(base), http)).toThrow(
      expect.objectContaining({ code: 'DINGTALK.UNKNOWN_ROBOT' }),
    );
    expect(
      'message' in normalizeRobotMessage(coded, parseRobotMessage({ ...base, robotCode: 'dingrobot' }), http),
    ).toBe(true);
  });

  it('cuts an expiry further out than a session lives (the body is unsigned in HTTP mode) to two hours', () => {
    const out = normalizeRobotMessage(
      bot,
      parseRobotMessage({ ...base, sessionWebhookExpiredTime: http.nowMs + 365 * 86_400_000 }),
      http,
    );
    if (!('message' in out)) throw new Error('ignored');
    expect(out.message.replyTarget).toMatchObject({ sessionWebhookExpiresAt: http.nowMs + 2 * 3_600_000 });
  });

  it('keeps a sessionWebhook on an allowed origin, and drops any other (the reply then goes through the OpenAPI), saying why', () => {
    const kept = normalizeRobotMessage(bot, parseRobotMessage(base), http);
    if (!('message' in kept)) throw new Error('ignored');
    expect(kept.message.replyTarget).toMatchObject({
      sessionWebhook: base.sessionWebhook,
      sessionWebhookExpiresAt: base.sessionWebhookExpiredTime,
    });
    expect(kept.refusedSessionWebhook).toBeUndefined();
    for (const [sessionWebhook, reason] of [
      ['http://127.0.0.1:8080/internal/admin', /origin http:\/\/127\.0\.0\.1:8080 is not in DINGTALK_WEBHOOK_ORIGINS/],
      ['https://oapi.dingtalk.com.evil.cn/robot/sendBySession?session=x', /not in DINGTALK_WEBHOOK_ORIGINS/],
      ['https://admin:pw@oapi.dingtalk.com/robot/sendBySession', /user name or password/],
      ['file:///etc/passwd', /scheme file:/],
      ['not a url', /not a URL/],
    ] as const) {
      const out = normalizeRobotMessage(bot, parseRobotMessage({ ...base, sessionWebhook }), http);
      if (!('message' in out)) throw new Error('ignored');
      expect(out.message.replyTarget).not.toHaveProperty('sessionWebhook');
      expect(out.message.replyTarget).not.toHaveProperty('sessionWebhookExpiresAt');
      expect(out.refusedSessionWebhook?.reason).toMatch(reason);
    }
    // Stream frames are checked the same way.
    const frame = normalizeRobotMessage(
      bot,
      parseRobotMessage({ ...base, sessionWebhook: 'http://10.0.0.5/' }),
      stream,
    );
    expect('message' in frame && frame.message.replyTarget).not.toHaveProperty('sessionWebhook');
  });
});

describe('looksLikeMarkdown', () => {
  it.each([
    ['## 标题\n内容', true],
    ['- 第一步\n- 第二步', true],
    ['1. 打开\n2. 点击', true],
    ['请看 [文档](https://example.com)', true],
    ['**注意**：周五截止', true],
    ['每月 10 日发放上月工资。', false],
    ['连续输错 5 次密码会锁定账号 30 分钟', false],
  ])('%s → %s', (text, expected) => {
    expect(looksLikeMarkdown(text)).toBe(expected);
  });
});
