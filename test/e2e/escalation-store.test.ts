import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisEscalationStore, createRedis, scanKeys, type Redis } from '@answerbridge/redis';

const escalation = (conversationId: string, senderId = 'u') => ({
  conversationId,
  botId: 'b',
  channel: 'wecom',
  senderId,
  replyTarget: { channel: 'wecom' as const, toUser: senderId, agentId: 1 },
  state: 'waiting' as const,
  reason: 'asked-for-human',
  question: 'q',
  candidates: [],
  escalatedAt: Date.now(),
  agentId: null,
  claimedAt: null,
  resolvedAt: null,
});

/** Polls Redis until none of `keys` exists (Redis expires them; nothing here sleeps a fixed time). */
async function untilGone(redis: Redis, keys: string[]): Promise<void> {
  while ((await redis.exists(...keys)) > 0) await delay(50);
}

/** The escalation store on real Redis: the guarantees the inbox relies on, and the retention. */
describe('RedisEscalationStore', () => {
  const redis = createRedis(inject('services').redisUrl, 'worker');
  const prefix = `abtest-${randomUUID().slice(0, 8)}`;
  const retentionMs = 60_000;
  const store = new RedisEscalationStore(redis, prefix, retentionMs);
  const keys = (id: string) => [
    `${prefix}:esc:${id}`,
    `${prefix}:esc:${id}:history`,
    `${prefix}:esc:${id}:history:ids`,
  ];
  const ttls = (id: string) => Promise.all(keys(id).map((k) => redis.pttl(k)));
  afterAll(async () => {
    for await (const found of scanKeys(redis, `${prefix}:*`)) if (found.length) await redis.del(...found);
    await redis.quit();
  });

  it('keeps an entry appended twice (a job that ran twice) once', async () => {
    const entry = { id: 'wecom-b-1', at: 1, from: 'asker' as const, text: '你好' };
    await store.append('c1', entry);
    await store.append('c1', entry);
    await store.append('c1', { ...entry, id: 'wecom-b-2', text: '还在吗' });
    expect((await store.history('c1', 10)).map((e) => e.text)).toEqual(['你好', '还在吗']);
  });

  it('opens once, lets exactly one of many claimers win, and reopens only after resolve', async () => {
    expect(await store.open(escalation('c2'))).toBe(true);
    expect(await store.open(escalation('c2'))).toBe(false);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim('c2', `agent${i}`, 2)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.list('waiting')).map((e) => e.conversationId)).not.toContain('c2');
    expect(await store.resolve('c2', 3)).toBe(true);
    expect(await store.resolve('c2', 4)).toBe(false);
    expect(await store.open(escalation('c2'))).toBe(true);
  });

  it('expires every escalation with its history the retention after its last change, open ones too (each change keeps it)', async () => {
    const id = 'wecom/b/ttl';
    const within = async () => {
      for (const ttl of await ttls(id)) {
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(retentionMs);
      }
    };
    await store.open(escalation(id));
    await store.append(id, { id: 'm1', at: 1, from: 'asker', text: '我的工号是 12345' });
    await within();
    await store.claim(id, 'agent1', Date.now());
    await store.append(id, { id: 'm2', at: 2, from: 'agent', text: '好的' });
    await within();

    await store.resolve(id, Date.now());
    await store.append(id, { id: 'm3', at: 3, from: 'system', text: '本次人工服务已结束' });
    for (const ttl of await ttls(id)) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(retentionMs);
    }
    // Reopened, it is open again, with the history of before, under the same retention.
    await store.open(escalation(id));
    await within();
  });

  it('deletes a resolved escalation and its history once the retention has passed (a 1.5 s retention here)', async () => {
    const short = new RedisEscalationStore(redis, prefix, 1_500);
    const id = 'wecom/b/short';
    await short.open(escalation(id));
    await short.append(id, { id: 'm1', at: 1, from: 'asker', text: '我的手机号是 13800000000' });
    await short.resolve(id, Date.now());
    await untilGone(redis, keys(id));
    expect(await short.get(id)).toBeNull();
    expect(await short.history(id, 10)).toEqual([]);
  });

  it('drops queue entries whose escalation is gone instead of keeping them forever', async () => {
    await redis.zadd(`${prefix}:esc:index:waiting`, 1, 'wecom/b/vanished');
    expect((await store.list('waiting')).map((e) => e.conversationId)).not.toContain('wecom/b/vanished');
    expect(await redis.zscore(`${prefix}:esc:index:waiting`, 'wecom/b/vanished')).toBeNull();
  });

  it('puts records written before the retention existed under it: ones untouched for the retention go, open or not; recent ones get what is left', async () => {
    const legacy = async (id: string, state: string, at: number) => {
      await redis.hset(`${prefix}:esc:${id}`, {
        ...escalation(id),
        replyTarget: '{}',
        candidates: '[]',
        state,
        escalatedAt: String(at),
        agentId: '',
        claimedAt: '',
        resolvedAt: state === 'resolved' ? String(at) : '',
      });
      await redis.rpush(`${prefix}:esc:${id}:history`, JSON.stringify({ id: 'x', at, from: 'asker', text: '旧问题' }));
      // The history TTL the old code gave (90 days), longer than this retention.
      await redis.expire(`${prefix}:esc:${id}:history`, 90 * 86_400);
    };
    await legacy('wecom/b/old', 'resolved', Date.now() - 2 * retentionMs);
    await legacy('wecom/b/recent', 'resolved', Date.now() - retentionMs / 2);
    await legacy('wecom/b/open', 'waiting', Date.now() - 2 * retentionMs);

    expect(await store.applyRetention()).toBeGreaterThanOrEqual(3);
    expect(await redis.exists(...keys('wecom/b/old'))).toBe(0);
    const [hash, history] = await ttls('wecom/b/recent');
    expect(hash).toBeGreaterThan(0);
    expect(hash).toBeLessThanOrEqual(retentionMs / 2);
    expect(history).toBeLessThanOrEqual(retentionMs / 2);
    expect(await redis.exists(...keys('wecom/b/open'))).toBe(0);
    // Records already under the retention are left alone.
    expect(await store.applyRetention()).toBe(0);
  });

  it("finds a person's direct and group conversations, not another person's, and refuses to erase one an agent holds", async () => {
    const mine = ['dingtalk/b/alice', 'dingtalk/b/cidGroup+/=/alice'];
    const others = ['dingtalk/b/alice2', 'dingtalk/b/cidGroup+/=/bob', 'dingtalk/other/alice', 'wecom/b/alice'];
    for (const id of [...mine, ...others]) {
      await store.open({
        ...escalation(id, id.split('/').at(-1)),
        channel: id.split('/')[0] ?? '',
        botId: id.split('/')[1] ?? '',
      });
      await store.append(id, { id: `m-${id}`, at: 1, from: 'asker', text: 'hi' });
    }
    const person = { channel: 'dingtalk', botId: 'b', senderId: 'alice' };
    expect(await store.conversationsOf(person)).toEqual([...mine].sort());

    await store.claim(mine[1] ?? '', 'agent1', Date.now());
    expect(await store.erase(mine[1] ?? '')).toEqual({ erased: false, heldBy: 'agent1' });
    expect(await store.get(mine[1] ?? '')).not.toBeNull();
    expect(await store.erase(mine[0] ?? '')).toEqual({ erased: true, escalations: 1, historyEntries: 1 });
    expect(await redis.exists(...keys(mine[0] ?? ''))).toBe(0);
    expect((await store.list('waiting')).map((e) => e.conversationId)).not.toContain(mine[0]);
    for (const id of others) expect(await store.get(id)).not.toBeNull();
  });
});
