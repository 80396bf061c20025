import { InMemoryKeyValueStore } from '@answerbridge/core';
import { KfApi, KfBotSchema, KfSettingsSchema, type KfBot } from '@answerbridge/channel-wecom-kf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KF_SIM_ERRCODES, WecomKfSimulator } from './wecom-kf-server';

/** The kf simulator through the channel's real API client: the rules the bot must live with, as WeCom applies them. */
describe('WecomKfSimulator', () => {
  let now = Date.now();
  const bot: KfBot = KfBotSchema.parse({
    id: 'kfsim',
    channel: 'wecom-kf',
    corpId: 'wwsimcorp',
    agentId: 1000005,
    secret: 'sim-secret',
    token: 'QDG6eK',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
    openKfId: 'wkSIMACCOUNT',
  });
  const sim = new WecomKfSimulator(
    [
      {
        ...bot,
        callbackUrl: 'http://127.0.0.1:9/unused',
        servicers: [
          { userid: 'zhangsan', status: 0 },
          { userid: 'offline', status: 1 },
        ],
      },
    ],
    () => now,
  );
  let api: KfApi;

  beforeAll(async () => {
    const url = await sim.start();
    api = new KfApi(bot, KfSettingsSchema.parse({ WECOM_KF_API_BASE_URL: url }), new InMemoryKeyValueStore());
  });
  afterAll(() => sim.close());

  const errcodeOf = (p: Promise<unknown>) =>
    p.then(
      () => 0,
      (e: { errcode?: number }) => e.errcode,
    );

  it('pages sync_msg with cursor, limit and has_more over the stored messages', async () => {
    for (let i = 0; i < 7; i++) await sim.customerSends(bot.openKfId, 'wmPager', `q${i}`, { notify: false });
    const first = await api.syncMsg({ cursor: undefined, token: undefined, limit: 3 });
    expect(first.items.map((m) => m.text?.content)).toEqual(['q0', 'q1', 'q2']);
    expect(first.hasMore).toBe(true);
    const second = await api.syncMsg({ cursor: first.nextCursor, token: undefined, limit: 10 });
    expect(second.items).toHaveLength(4);
    expect(second.hasMore).toBe(false);
    // Asking again from the same cursor gives the same page: a page can be fetched twice.
    const again = await api.syncMsg({ cursor: first.nextCursor, token: undefined, limit: 10 });
    expect(again.items.map((m) => m.msgid)).toEqual(second.items.map((m) => m.msgid));
    expect(sim.positions(bot.openKfId)).toEqual([0, 3, 3]);
  });

  it('passes over sync_msg items of an unexpected shape, deeply nested ones included, keeping the rest', async () => {
    let nested: unknown = 'x';
    for (let i = 0; i < 2_000; i++) nested = { a: nested };
    sim.injectRawItem(bot.openKfId, { origin: 3, msgtype: 'text' });
    sim.injectRawItem(bot.openKfId, { msgid: 'deep', origin: 3, msgtype: 'text', text: nested });
    sim.injectRawItem(bot.openKfId, { msgid: 'x'.repeat(10_000), origin: 3, msgtype: 'text' });
    await sim.customerSends(bot.openKfId, 'wmAfterJunk', 'still here', { notify: false });
    const page = await api.syncMsg({ cursor: undefined, token: undefined, limit: 1000 });
    expect(page.skipped).toBe(3);
    expect(page.items.at(-1)?.text?.content).toBe('still here');
  });

  it('refuses a sync token it did not issue', async () => {
    expect(await errcodeOf(api.syncMsg({ cursor: undefined, token: 'ENCforged', limit: 10 }))).toBe(
      KF_SIM_ERRCODES.badSyncToken,
    );
  });

  it('allows 5 send_msg per customer message within 48 h, with the real errcodes beyond', async () => {
    await sim.customerSends(bot.openKfId, 'wmBudget', '你好', { notify: false });
    expect(sim.stateOf(bot.openKfId, 'wmBudget')).toBe(0);
    for (let i = 0; i < 5; i++) await api.sendText('wmBudget', `答 ${i}`, `budget${i}`);
    expect(sim.stateOf(bot.openKfId, 'wmBudget')).toBe(1);
    expect(await errcodeOf(api.sendText('wmBudget', '第六条', 'budget5'))).toBe(KF_SIM_ERRCODES.budgetSpent);
    // A repeated msgid is the same message, not a sixth one.
    await api.sendText('wmBudget', '答 0', 'budget0');
    expect(sim.sentTo('wmBudget')).toHaveLength(5);
    await sim.customerSends(bot.openKfId, 'wmBudget', '再问一个', { notify: false });
    await api.sendText('wmBudget', '第六条', 'budget5');
    now += 48 * 3_600_000 + 1;
    expect(await errcodeOf(api.sendText('wmBudget', '太晚', 'budget6'))).toBe(KF_SIM_ERRCODES.windowClosed);
    now = Date.now();
  });

  it('moves sessions only as service_state/trans allows, with msg_codes for the notices', async () => {
    await sim.customerSends(bot.openKfId, 'wmState', '转人工', { notify: false });
    expect((await api.serviceState('wmState')).state).toBe(0);
    expect(await errcodeOf(api.transfer('wmState', 3, 'offline'))).toBe(KF_SIM_ERRCODES.servicerInactive);
    const code = await api.transfer('wmState', 2);
    expect(code).toMatch(/^trans_/);
    expect(await errcodeOf(api.sendText('wmState', '机器人', 'state1'))).toBe(KF_SIM_ERRCODES.sessionInvalid);
    await api.sendOnEvent(code ?? '', '正在转接', 'notice1');
    expect(sim.sentTo('wmState').map((m) => m.via)).toEqual(['trans']);
    expect(await errcodeOf(api.sendOnEvent(code ?? '', '再一次', 'notice2'))).toBe(KF_SIM_ERRCODES.badEventCode);
    expect(await errcodeOf(api.transfer('wmState', 1))).toBe(KF_SIM_ERRCODES.badTransition);
    await sim.servicerTakes(bot.openKfId, 'wmState', 'zhangsan');
    expect(await api.serviceState('wmState')).toEqual({ state: 3, servicerUserId: 'zhangsan' });
    await sim.servicerEnds(bot.openKfId, 'wmState');
    expect((await api.serviceState('wmState')).state).toBe(4);
    await sim.customerSends(bot.openKfId, 'wmState', '又来了', { notify: false });
    expect((await api.serviceState('wmState')).state).toBe(0);
  });
});
