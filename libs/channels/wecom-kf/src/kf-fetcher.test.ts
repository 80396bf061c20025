import { InMemoryKeyValueStore, type InboundMessage, type KeyValueStore } from '@answerbridge/core';
import { WecomApiError } from '@answerbridge/channel-wecom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeKfApi, testKfBot } from './fake-kf-api';
import { KfSettingsSchema } from './kf-config';
import { KfFetcher } from './kf-fetcher';
import { kfKeys } from './kf-keys';
import { kfMessageCatalog } from './kf-messages';

interface TestLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}
const silent: TestLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

interface SetupOptions {
  store?: KeyValueStore;
  pageLimit?: number;
  bot?: ReturnType<typeof testKfBot>;
  logger?: TestLogger;
}

function setup(options: SetupOptions = {}) {
  const bot = options.bot ?? testKfBot();
  const api = new FakeKfApi(bot);
  const store = options.store ?? new InMemoryKeyValueStore();
  const queued = new Map<string, InboundMessage>();
  const acceptCalls: string[] = [];
  const counts: Record<string, number> = {};
  const deps = {
    bot,
    api,
    store,
    settings: KfSettingsSchema.parse({ WECOM_KF_PAGE_LIMIT: options.pageLimit ?? 1000 }),
    messages: kfMessageCatalog.zh,
    async accept(message: InboundMessage) {
      acceptCalls.push(message.id);
      const duplicate = queued.has(message.id);
      if (!duplicate) queued.set(message.id, message);
      return { duplicate };
    },
    count: (result: string) => void (counts[result] = (counts[result] ?? 0) + 1),
    logger: options.logger ?? silent,
    nowMs: () => Date.now(),
  };
  const fetcher = new KfFetcher(deps);
  const keys = kfKeys(bot.corpId, bot.openKfId);
  const cursor = async () => JSON.parse((await store.get(keys.cursor)) ?? 'null') as { cursor: string } | null;
  return { bot, api, store, queued, acceptCalls, counts, fetcher, keys, cursor };
}

describe('KfFetcher', () => {
  it('pulls every page while has_more, queues each customer message once and stores the last cursor', async () => {
    const { api, fetcher, queued, cursor } = setup({ pageLimit: 10 });
    for (let i = 0; i < 25; i++) api.customer(`wmUser${i % 5}`, `问题 ${i}`);
    await fetcher.drain('ENCtoken');
    expect(queued.size).toBe(25);
    expect(api.syncCalls.map((c) => c.cursor)).toEqual([undefined, 'p10', 'p20']);
    expect(api.syncCalls[0]?.token).toBe('ENCtoken');
    expect(await cursor()).toMatchObject({ cursor: 'p25' });
    const first = [...queued.values()][0];
    expect(first).toMatchObject({
      channel: 'wecom-kf',
      senderId: 'wmUser0',
      conversationId: 'wecom-kf/kfbot/wmUser0',
      text: '问题 0',
      replyTarget: { channel: 'wecom-kf', openKfId: 'wkTESTACCOUNT', externalUserId: 'wmUser0' },
    });
  });

  it('queues nothing twice when a page is fetched again after a crash before its cursor was stored', async () => {
    const store = new InMemoryKeyValueStore();
    const { api, fetcher, queued, acceptCalls, keys } = setup({ store, pageLimit: 10 });
    for (let i = 0; i < 15; i++) api.customer('wmA', `q${i}`);
    // The cursor write of the first page fails, as if the gateway died between queueing and storing it.
    const realSet = store.set.bind(store);
    let failed = false;
    store.set = async (key, value, ttl) => {
      if (key === keys.cursor && !failed) {
        failed = true;
        throw new Error('Redis went away');
      }
      return realSet(key, value, ttl);
    };
    await expect(fetcher.drain('t1')).rejects.toThrow('Redis went away');
    expect(queued.size).toBe(10);
    await fetcher.drain(undefined);
    expect(api.syncCalls.map((c) => c.cursor)).toEqual([undefined, undefined, 'p10']);
    expect(queued.size).toBe(15);
    // The refetched page was recognised by its seen marks: each message offered to the queue once.
    expect(acceptCalls.length).toBe(15);
  });

  it('runs one fetcher at a time for concurrent callbacks, and a callback during a round gets a round after it', async () => {
    const { api, fetcher, queued } = setup({ pageLimit: 5 });
    for (let i = 0; i < 12; i++) api.customer('wmB', `first ${i}`);
    let release: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => (release = resolve));
    api.pageDelay = () => gate;
    const first = fetcher.drain('t1');
    // Callbacks arrive while the first page is in flight; their messages are newer than that page.
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 4; i++) api.customer('wmB', `later ${i}`);
    const others = [fetcher.drain('t2'), fetcher.drain('t3'), fetcher.drain('t4')];
    await Promise.all(others);
    gate = Promise.resolve();
    release();
    await first;
    expect(api.maxInFlight).toBe(1);
    expect(queued.size).toBe(16);
  });

  it('goes on after an empty page with has_more and stops when the cursor does not move', async () => {
    const { api, fetcher, queued } = setup();
    api.customer('wmC', '你好');
    const real = api.syncMsg.bind(api);
    let calls = 0;
    api.syncMsg = async (options) => {
      calls++;
      if (calls === 1) return { nextCursor: 'p0', hasMore: true, items: [], skipped: 0 };
      return real(options);
    };
    await fetcher.drain('t');
    expect(queued.size).toBe(1);
    expect(calls).toBe(2);
  });

  it('reads past old history on the first fetch but answers later messages of any age it has a cursor for', async () => {
    const { api, fetcher, queued, counts } = setup();
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 7_200;
    api.customer('wmD', '前天的问题', twoHoursAgo);
    api.customer('wmD', '现在的问题');
    await fetcher.drain(undefined);
    expect([...queued.values()].map((m) => m.text)).toEqual(['现在的问题']);
    expect(counts.stale).toBe(1);
    api.customer('wmD', '迟到的问题', twoHoursAgo);
    await fetcher.drain(undefined);
    expect([...queued.values()].map((m) => m.text)).toContain('迟到的问题');
  });

  it('sends the welcome on enter_session and keeps quiet while a WeCom servicer holds the session', async () => {
    const { api, fetcher, queued, counts } = setup();
    api.event({ event_type: 'enter_session', external_userid: 'wmE', welcome_code: 'WELCOME1' });
    api.event({
      event_type: 'session_status_change',
      external_userid: 'wmE',
      change_type: 1,
      new_servicer_userid: 'zhangsan',
    });
    api.states.set('wmE', 3);
    api.customer('wmE', '人工在吗');
    await fetcher.drain('t');
    expect(api.onEvent).toEqual([expect.objectContaining({ code: 'WELCOME1', content: kfMessageCatalog.zh.welcome })]);
    expect(queued.size).toBe(0);
    expect(counts.with_servicer).toBe(1);

    api.event({ event_type: 'session_status_change', external_userid: 'wmE', change_type: 3, msg_code: 'END' });
    api.states.set('wmE', 4);
    api.customer('wmE', '还有个问题');
    await fetcher.drain('t');
    expect([...queued.values()].map((m) => m.text)).toEqual(['还有个问题']);
  });

  it('leaves to the servicer a message written before the session ended, even when fetched after a new one began', async () => {
    const { api, fetcher, queued } = setup();
    api.event({
      event_type: 'session_status_change',
      external_userid: 'wmJ',
      change_type: 1,
      new_servicer_userid: 'zs',
    });
    api.customer('wmJ', '写给人工的');
    api.event({ event_type: 'session_status_change', external_userid: 'wmJ', change_type: 3 });
    api.customer('wmJ', '写给机器人的');
    // By the time the page is fetched the customer has written again: the live state is 0.
    api.states.set('wmJ', 0);
    await fetcher.drain('t');
    expect([...queued.values()].map((m) => m.text)).toEqual(['写给机器人的']);
  });

  it('lets the bot answer again when the session ended without an event it saw', async () => {
    const { api, fetcher, queued, store, keys } = setup();
    await store.set(keys.withServicer('wmF'), 'lisi', 60_000);
    api.states.set('wmF', 0);
    api.customer('wmF', '在吗');
    await fetcher.drain('t');
    expect(queued.size).toBe(1);
    expect(await store.get(keys.withServicer('wmF'))).toBeNull();
  });

  it('fetches without the callback token when WeCom refuses it', async () => {
    const { api, fetcher, queued } = setup();
    api.refusedTokens.add('spent');
    api.customer('wmG', 'hello');
    await fetcher.drain('spent');
    expect(api.syncCalls.map((c) => c.token)).toEqual(['spent', undefined]);
    expect(queued.size).toBe(1);
  });

  it('leaves the cursor where it was when sync_msg fails, and kick retries on its own', async () => {
    const { api, fetcher, queued, cursor } = setup();
    api.customer('wmH', 'q');
    api.failNext.syncMsg = [new WecomApiError(-1, 'system busy', true)];
    await expect(fetcher.drain('t')).rejects.toThrow('system busy');
    expect(await cursor()).toBeNull();
    await fetcher.drain(undefined);
    expect(queued.size).toBe(1);
  });

  it('records a msg_send_fail (accepted by send_msg, never delivered) and queues nothing for it', async () => {
    const warnings: Record<string, unknown>[] = [];
    const { api, fetcher, queued, counts } = setup({
      logger: { ...silent, warn: (fields: Record<string, unknown>) => void warnings.push(fields) },
    });
    api.event({ event_type: 'msg_send_fail', external_userid: 'wmO', fail_msgid: 'FAIL1', fail_type: 10 });
    await fetcher.drain('t');
    expect(queued.size).toBe(0);
    expect(counts.send_failed).toBe(1);
    expect(warnings).toContainEqual({ failMsgid: 'FAIL1', failType: 10 });
  });

  it('never answers servicer messages (origin 5) nor counts them as customers', async () => {
    const { api, fetcher, queued, counts } = setup();
    api.log.push({
      msgid: 'svc1',
      origin: 5,
      msgtype: 'text',
      external_userid: 'wmI',
      servicer_userid: 'zhangsan',
      text: { content: '您好' },
    });
    await fetcher.drain('t');
    expect(queued.size).toBe(0);
    expect(counts.servicer_message).toBe(1);
  });

  describe('in the background (kick)', () => {
    afterEach(() => void vi.useRealTimers());

    it('serves a callback whose round was left to a gateway that died holding the lock', async () => {
      vi.useFakeTimers();
      let now = Date.now();
      const store = new InMemoryKeyValueStore(() => now);
      const { api, fetcher, queued, keys } = setup({ store });
      await store.set(keys.fetchLock, 'a-dead-gateway', 60_000);
      api.customer('wmK', '有人吗');
      fetcher.kick('t');
      await vi.advanceTimersByTimeAsync(0);
      expect(queued.size).toBe(0);
      now += 61_000;
      await vi.advanceTimersByTimeAsync(61_000);
      await fetcher.stop();
      expect([...queued.values()].map((m) => m.text)).toEqual(['有人吗']);
    });

    it('tries a failed round again, and lets stop() wait for the round in flight', async () => {
      vi.useFakeTimers();
      const { api, fetcher, queued, counts } = setup();
      api.customer('wmL', 'q');
      api.failNext.syncMsg = [new WecomApiError(-1, 'system busy', true)];
      fetcher.kick('t');
      await vi.advanceTimersByTimeAsync(5_000);
      await fetcher.stop();
      expect(counts.fetch_failed).toBe(1);
      expect(queued.size).toBe(1);
    });

    it('retries a failed round within seconds even while a deferred look is pending', async () => {
      vi.useFakeTimers();
      const { api, fetcher, queued, store, keys } = setup();
      await store.set(keys.fetchLock, 'another-replica', 30_000);
      fetcher.kick('t1');
      await vi.advanceTimersByTimeAsync(0);
      await store.deleteIfEquals(keys.fetchLock, 'another-replica');
      api.customer('wmM', 'q');
      api.failNext.syncMsg = [new WecomApiError(-1, 'system busy', true)];
      fetcher.kick('t2');
      await vi.advanceTimersByTimeAsync(5_000);
      await fetcher.stop();
      expect(queued.size).toBe(1);
    });

    it('retries when Redis was not reachable for even the mark (a gateway starting before its connection is up)', async () => {
      vi.useFakeTimers();
      const store = new InMemoryKeyValueStore();
      const { api, fetcher, queued } = setup({ store });
      const realSet = store.set.bind(store);
      const realSetIfAbsent = store.setIfAbsent.bind(store);
      let down = true;
      store.set = async (...args) => (down ? Promise.reject(new Error('not connected')) : realSet(...args));
      store.setIfAbsent = async (...args) =>
        down ? Promise.reject(new Error('not connected')) : realSetIfAbsent(...args);
      api.customer('wmN', 'q');
      fetcher.kick(undefined);
      await vi.advanceTimersByTimeAsync(0);
      down = false;
      await vi.advanceTimersByTimeAsync(5_000);
      await fetcher.stop();
      expect(queued.size).toBe(1);
    });
  });
});
