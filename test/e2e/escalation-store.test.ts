import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RedisEscalationStore, createRedis } from '@answerbridge/queue';

/** The escalation store on real Redis: the guarantees the inbox relies on. */
describe('RedisEscalationStore', () => {
  const redis = createRedis(inject('services').redisUrl, 'worker');
  const prefix = `abtest-${randomUUID().slice(0, 8)}`;
  const store = new RedisEscalationStore(redis, prefix);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const escalation = (conversationId: string) => ({
    conversationId,
    botId: 'b',
    channel: 'wecom',
    senderId: 'u',
    replyTarget: { channel: 'wecom' as const, toUser: 'u', agentId: 1 },
    state: 'waiting' as const,
    reason: 'asked-for-human',
    question: 'q',
    candidates: [],
    escalatedAt: 1,
    agentId: null,
    claimedAt: null,
    resolvedAt: null,
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
});
