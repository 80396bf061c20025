import { describe, expect, it } from 'vitest';
import {
  InMemoryKeyValueStore,
  type ChannelGatewayContext,
  type ChannelWorkerContext,
  type HttpCall,
  type AnswerFeedbackRecord,
  type HttpClient,
  type InboundMessage,
  type OutboundReply,
} from '@answerbridge/core';
import { parseAibotCallback } from './aibot-callback';
import { InMemoryAibotRelay } from './aibot-relay';
import { readFeedback } from './aibot-events';
import { AibotInbound, type InboundOutcome } from './aibot-inbound';
import { aibotMessages } from './aibot-messages';
import { AibotSettingsSchema, type AibotBot, type AibotReplyTarget, type AibotSettings } from './aibot-schemas';
import { AibotNoReplyPathError, AibotSender, truncateUtf8 } from './aibot-sender';
import { AibotStreams } from './aibot-streams';

const bot: AibotBot = {
  id: 'helpdesk',
  channel: 'wecom-aibot',
  mode: 'http',
  token: 't',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  language: 'zh',
};
const zh = aibotMessages.zh;
const RESPONSE_ORIGIN = 'https://qyapi.weixin.qq.com';

function world() {
  let now = 1_700_000_000_000;
  const store = new InMemoryKeyValueStore(() => now);
  const settings: AibotSettings = AibotSettingsSchema.parse({});
  const accepted: InboundMessage[] = [];
  const seen = new Set<string>();
  const posts: { url: string; json: unknown }[] = [];
  const feedback: AnswerFeedbackRecord[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const http = (() => ({
    request: async (url: string, call: HttpCall) => {
      posts.push({ url, json: call.json });
      return { status: 200, ok: true, text: '{"errcode":0}', json: { errcode: 0 } };
    },
  })) as unknown as () => HttpClient;
  const base = {
    bots: [bot],
    settings,
    store,
    relay: () => new InMemoryAibotRelay(),
    http,
    logger,
    nowMs: () => now,
    countApiError() {},
  };
  const gatewayCtx: ChannelGatewayContext<AibotBot, AibotSettings> = {
    ...base,
    async accept(message) {
      const duplicate = seen.has(message.id);
      seen.add(message.id);
      if (!duplicate) accepted.push(message);
      return { jobId: message.id, duplicate };
    },
    countCallback() {},
    async recordFeedback(f) {
      feedback.push(f);
    },
  };
  const workerCtx: ChannelWorkerContext<AibotBot, AibotSettings> = { ...base };
  const streams = new AibotStreams(store, settings.WECOM_AIBOT_STREAM_WINDOW_SECONDS * 1000);
  const inbound = new AibotInbound(gatewayCtx, streams);
  const sender = new AibotSender(workerCtx, streams, null);
  const call = (body: Record<string, unknown>) =>
    inbound.handle(bot, parseAibotCallback(JSON.stringify(body)), { mode: 'http' });
  return { store, accepted, posts, feedback, inbound, sender, call, tick: (ms: number) => (now += ms) };
}

const groupMessage = (msgid: string, content: string, extra: Record<string, unknown> = {}) => ({
  msgid,
  aibotid: 'AIBOTID',
  chatid: 'wrkSFfCgAA',
  chattype: 'group',
  from: { userid: 'zhangsan' },
  response_url: `${RESPONSE_ORIGIN}/cgi-bin/aibot/response?response_code=${msgid}`,
  msgtype: 'text',
  text: { content },
  ...extra,
});
const refresh = (id: string) => ({
  msgid: `r-${id}-${Math.random()}`,
  aibotid: 'AIBOTID',
  chattype: 'group',
  chatid: 'wrkSFfCgAA',
  from: { userid: 'zhangsan' },
  msgtype: 'stream',
  stream: { id },
});
const stream = (o: InboundOutcome) => (o.kind === 'stream' ? o.stream : null);
const replyTo = (m: InboundMessage, text: string, extra: Partial<OutboundReply> = {}): OutboundReply => ({
  id: `reply-${m.id}`,
  botId: m.botId,
  inReplyTo: m.id,
  target: m.replyTarget,
  text,
  ...extra,
});

describe('the AI bot in URL回调 mode, on in-memory ports', () => {
  it('answers a group @mention with a placeholder, queues the question without the mention, and shows the answer on a refresh', async () => {
    const w = world();
    const first = stream(await w.call(groupMessage('m1', '@小助手 怎么修改登录密码？')));
    expect(first).toMatchObject({ finish: false, content: zh.placeholder });
    expect(first?.feedback?.id).toBe(w.accepted[0]?.id);
    expect(w.accepted).toHaveLength(1);
    expect(w.accepted[0]).toMatchObject({
      channel: 'wecom-aibot',
      chatType: 'group',
      text: '怎么修改登录密码？',
      conversationId: 'wecom-aibot/helpdesk/wrkSFfCgAA/zhangsan',
    });
    const target = w.accepted[0]?.replyTarget as unknown as AibotReplyTarget;
    expect(target).toMatchObject({ streamId: first?.id, chatId: 'wrkSFfCgAA', userId: 'zhangsan' });
    expect(stream(await w.call(refresh(first?.id ?? '')))).toEqual({
      id: first?.id,
      finish: false,
      content: zh.placeholder,
    });
    const message = w.accepted[0] as InboundMessage;
    expect(await w.sender.send(replyTo(message, '在“设置”里修改密码。'))).toEqual({ platformMessageId: first?.id });
    expect(stream(await w.call(refresh(first?.id ?? '')))).toEqual({
      id: first?.id,
      finish: true,
      content: '在“设置”里修改密码。',
    });
    expect(w.posts).toHaveLength(0);
  });

  it('gives a redelivered callback the same stream and queues it once; after the answer, the redelivery shows the answer', async () => {
    const w = world();
    const a = stream(await w.call(groupMessage('m2', '@小助手 年假有几天')));
    const b = stream(await w.call(groupMessage('m2', '@小助手 年假有几天')));
    expect(b?.id).toBe(a?.id);
    expect(w.accepted).toHaveLength(1);
    await w.sender.send(replyTo(w.accepted[0] as InboundMessage, '五天'));
    expect(stream(await w.call(groupMessage('m2', '@小助手 年假有几天')))).toMatchObject({
      id: a?.id,
      finish: true,
      content: '五天',
    });
    // The worker's retry of the same reply is the same write: no second message anywhere.
    await w.sender.send(replyTo(w.accepted[0] as InboundMessage, '五天'));
    expect(w.posts).toHaveLength(0);
  });

  it('finishes an unknown stream empty, so WeCom stops refreshing it', async () => {
    const w = world();
    expect(stream(await w.call(refresh('s-never-ours')))).toEqual({ id: 's-never-ours', finish: true, content: '' });
  });

  it('near the end of the window a refresh finishes with "still working", and the late answer goes through response_url once', async () => {
    const w = world();
    const placeholder = stream(await w.call(groupMessage('m3', '@小助手 报销流程')));
    w.tick(340_000);
    expect(stream(await w.call(refresh(placeholder?.id ?? '')))).toMatchObject({
      finish: true,
      content: zh.stillWorking,
    });
    const message = w.accepted[0] as InboundMessage;
    await w.sender.send(replyTo(message, '报销请走 OA。'));
    expect(w.posts).toEqual([
      {
        url: `${RESPONSE_ORIGIN}/cgi-bin/aibot/response?response_code=m3`,
        json: { msgtype: 'markdown', markdown: { content: '报销请走 OA。' } },
      },
    ]);
    // The stream keeps the text it finished with: a refresh never shows one text and then another.
    expect(stream(await w.call(refresh(placeholder?.id ?? '')))).toMatchObject({ content: zh.stillWorking });
  });

  it('delivers an agent reply into the newest open stream, then the response_urls, oldest first; a notice never spends a URL', async () => {
    const w = world();
    await w.call(groupMessage('e1', '@小助手 我要转人工'));
    const escalated = w.accepted[0] as InboundMessage;
    await w.sender.send(replyTo(escalated, '正在为您转接人工客服'));
    // The asker writes again while waiting: a relayed message, whose placeholder waits for the agent.
    const relayed = stream(await w.call(groupMessage('e2', '@小助手 还在吗')));
    const agent = (id: string, text: string): OutboundReply => ({
      id,
      botId: bot.id,
      inReplyTo: escalated.conversationId,
      target: escalated.replyTarget,
      text,
      track: { conversationId: escalated.conversationId, entryId: id },
    });
    expect(await w.sender.send(agent('agent-1', '您好，我是客服小王'))).toEqual({ platformMessageId: relayed?.id });
    expect(stream(await w.call(refresh(relayed?.id ?? '')))).toMatchObject({
      finish: true,
      content: '您好，我是客服小王',
    });
    const notice: OutboundReply = { ...agent('joined-x', '客服已接入'), track: undefined };
    expect(await w.sender.send(notice)).toEqual({ platformMessageId: null });
    expect(w.posts).toHaveLength(0);
    await w.sender.send(agent('agent-2', '请提供工号'));
    await w.sender.send(agent('agent-3', '已为您处理'));
    expect(w.posts.map((p) => p.url.split('=')[1])).toEqual(['e1', 'e2']);
    await expect(w.sender.send(agent('agent-4', '还有别的问题吗'))).rejects.toBeInstanceOf(AibotNoReplyPathError);
  });

  it('welcomes on enter_chat and records feedback against the decision (the message id)', async () => {
    const w = world();
    const welcome = await w.call({
      msgid: 'ev1',
      aibotid: 'AIBOTID',
      from: { userid: 'lisi' },
      msgtype: 'event',
      event: { eventtype: 'enter_chat' },
    });
    expect(welcome).toEqual({ kind: 'welcome', text: zh.welcome });
    const placeholder = stream(await w.call(groupMessage('m4', '@小助手 VPN')));
    const feedback = {
      msgid: 'ev2',
      aibotid: 'AIBOTID',
      from: { userid: 'zhangsan' },
      msgtype: 'event',
      event: {
        eventtype: 'feedback_event',
        feedback_event: { id: placeholder?.feedback?.id, type: 2, content: '不对', inaccurate_reason_list: [1] },
      },
    };
    expect(await w.call(feedback)).toEqual({ kind: 'empty' });
    expect(await readFeedback(w.store, bot.id, w.accepted[0]?.id ?? '')).toMatchObject({
      verdict: 'inaccurate',
      content: '不对',
      reasons: [1],
    });
    // The analytics fact: the decision's message id, the person's conversation, the channel.
    expect(w.feedback).toEqual([
      expect.objectContaining({
        messageId: w.accepted[0]?.id,
        botId: bot.id,
        channel: 'wecom-aibot',
        conversationId: `wecom-aibot/${bot.id}/zhangsan`,
        verdict: 'inaccurate',
      }),
    ]);
  });

  it('ignores a response_url outside the allowed origins and keeps content within 20480 bytes', async () => {
    const w = world();
    await w.call(groupMessage('m5', '@小助手 hi', { response_url: 'https://evil.example/steal' }));
    expect((w.accepted[0]?.replyTarget as unknown as AibotReplyTarget).responseUrl).toBeUndefined();
    const long = '密'.repeat(10_000);
    const cut = truncateUtf8(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(20_480);
    expect(cut.endsWith('…')).toBe(true);
  });
});
