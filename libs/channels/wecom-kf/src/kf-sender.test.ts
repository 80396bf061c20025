import { InMemoryKeyValueStore, type OutboundReply } from '@answerbridge/core';
import { WecomApiError } from '@answerbridge/channel-wecom';
import { describe, expect, it } from 'vitest';
import { FakeKfApi, testKfBot } from './fake-kf-api';
import { kfKeys } from './kf-keys';
import { kfMessageCatalog } from './kf-messages';
import { KF_SENDS_PER_CUSTOMER_MESSAGE, KfSendRefusedError, KfSender, fitToBudget } from './kf-sender';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function setup() {
  const bot = testKfBot();
  const api = new FakeKfApi(bot);
  const store = new InMemoryKeyValueStore();
  let now = Date.now();
  const sender = new KfSender({
    apis: (id) => (id === bot.id ? api : undefined),
    store,
    messages: () => kfMessageCatalog.zh,
    logger: silent,
    nowMs: () => now,
  });
  const keys = kfKeys(bot.corpId, bot.openKfId);
  /** What the fetcher records when a customer message is queued. */
  const customerWrote = (user: string, msgid: string, at = now) =>
    store.set(keys.window(user), JSON.stringify({ msgid, at }), 48 * 3_600_000);
  const reply = (id: string, user: string, text: string): OutboundReply =>
    ({
      id,
      botId: bot.id,
      inReplyTo: 'x',
      target: { channel: 'wecom-kf', openKfId: bot.openKfId, externalUserId: user },
      text,
    }) as unknown as OutboundReply;
  return { bot, api, store, sender, keys, customerWrote, reply, advance: (ms: number) => void (now += ms) };
}

describe('KfSender', () => {
  it('sends through send_msg with a msgid derived from the reply, once however often the job runs', async () => {
    const { api, sender, customerWrote, reply } = setup();
    await customerWrote('wmA', 'm1');
    const first = await sender.send(reply('reply-1', 'wmA', '您好'));
    const again = await sender.send(reply('reply-1', 'wmA', '您好'));
    expect(api.sent).toEqual([{ to: 'wmA', content: '您好', msgid: expect.stringMatching(/^[0-9A-Za-z_-]{32}$/) }]);
    expect(again.platformMessageId).toBe(first.platformMessageId);
  });

  it('refuses the sixth message after one customer message, clearly and without retrying, until the customer writes again', async () => {
    const { api, sender, customerWrote, reply } = setup();
    await customerWrote('wmB', 'm1');
    for (let i = 0; i < KF_SENDS_PER_CUSTOMER_MESSAGE; i++) await sender.send(reply(`r${i}`, 'wmB', `答复 ${i}`));
    const refused = await sender.send(reply('r5', 'wmB', '第六条')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KfSendRefusedError);
    expect(refused).toMatchObject({ code: 'WECOM_KF.BUDGET_SPENT', retryable: false });
    expect(api.sent).toHaveLength(5);
    await customerWrote('wmB', 'm2');
    await sender.send(reply('r5', 'wmB', '第六条'));
    expect(api.sent).toHaveLength(6);
  });

  it('refuses once 48 h have passed since the customer last wrote', async () => {
    const { sender, customerWrote, reply, advance } = setup();
    await customerWrote('wmC', 'm1');
    advance(48 * 3_600_000 + 1_000);
    await expect(sender.send(reply('r', 'wmC', '晚了'))).rejects.toMatchObject({
      code: 'WECOM_KF.WINDOW_CLOSED',
      retryable: false,
    });
  });

  it('refuses a customer it has no message from (nothing to answer within 48 h)', async () => {
    const { sender, reply } = setup();
    await expect(sender.send(reply('r', 'wmNobody', 'hi'))).rejects.toMatchObject({ code: 'WECOM_KF.WINDOW_CLOSED' });
  });

  it('fits a long answer into the messages left, each within 2048 bytes, the last one saying it was cut', async () => {
    const { api, sender, customerWrote, reply } = setup();
    await customerWrote('wmD', 'm1');
    await sender.send(reply('short', 'wmD', '先说一句'));
    const long = Array.from({ length: 8 }, (_, i) => `第${i}段：${'很长的内容'.repeat(130)}`).join('\n');
    await sender.send(reply('long', 'wmD', long));
    const sentLong = api.sent.slice(1);
    expect(sentLong).toHaveLength(4);
    for (const m of sentLong) expect(Buffer.byteLength(m.content, 'utf8')).toBeLessThanOrEqual(2048);
    expect(sentLong.at(-1)?.content.endsWith(kfMessageCatalog.zh.truncated)).toBe(true);
  });

  it('resumes a reply after the chunks WeCom accepted, without spending their slots again', async () => {
    const { api, sender, customerWrote, reply, store, keys } = setup();
    await customerWrote('wmE', 'm1');
    const text = `${'甲'.repeat(600)}\n${'乙'.repeat(600)}`;
    const real = api.sendText.bind(api);
    let calls = 0;
    api.sendText = async (to, content, msgid) => {
      calls++;
      if (calls === 2) throw new WecomApiError(-1, 'system busy', true);
      return real(to, content, msgid);
    };
    await expect(sender.send(reply('r', 'wmE', text))).rejects.toThrow('system busy');
    await sender.send(reply('r', 'wmE', text));
    expect(api.sent.map((m) => m.content[0])).toEqual(['甲', '乙']);
    const slots = await Promise.all([0, 1, 2, 3, 4].map((n) => store.get(keys.sendSlot('wmE', 'm1', n))));
    expect(slots.filter((s) => s !== null)).toEqual(['r#0', 'r#1']);
  });

  it("drops the bot's words while a WeCom servicer holds the session, and fails an agent's visibly", async () => {
    const { api, sender, customerWrote, reply, store, keys } = setup();
    await customerWrote('wmF', 'm1');
    await store.set(keys.withServicer('wmF'), 'zhangsan', 60_000);
    expect(await sender.send(reply('r', 'wmF', '机器人的话'))).toEqual({ platformMessageId: null });
    const agents = { ...reply('a', 'wmF', '坐席的话'), track: { conversationId: 'c', entryId: 'e' } };
    await expect(sender.send(agents)).rejects.toMatchObject({ code: 'WECOM_KF.WITH_SERVICER', retryable: false });
    expect(api.sent).toHaveLength(0);
  });

  it('refuses a target of another channel or account', async () => {
    const { sender, reply } = setup();
    const wrong = {
      ...reply('r', 'wmG', 'x'),
      target: { channel: 'wecom', toUser: 'u', agentId: 1 },
    } as unknown as OutboundReply;
    await expect(sender.send(wrong)).rejects.toMatchObject({ code: 'WECOM_KF.WRONG_CHANNEL', retryable: false });
    const other = reply('r', 'wmG', 'x');
    (other.target as unknown as { openKfId: string }).openKfId = 'wkOTHER';
    await expect(sender.send(other)).rejects.toMatchObject({ code: 'WECOM_KF.WRONG_ACCOUNT' });
  });
});

describe('fitToBudget', () => {
  it('keeps a text that fits as it is', () => {
    expect(fitToBudget('短', 5, '…')).toEqual(['短']);
  });
  it('never returns more pieces than allowed', () => {
    const pieces = fitToBudget('字'.repeat(5_000), 2, '（截断）');
    expect(pieces).toHaveLength(2);
    expect(pieces[1]?.endsWith('（截断）')).toBe(true);
    for (const p of pieces) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(2048);
  });
});
