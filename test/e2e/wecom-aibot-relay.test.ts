import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { InMemoryAibotRelay, type AibotRelay } from '@answerbridge/channel-wecom-aibot';
import { RedisChannelRelay, createRedis, type Redis } from '@answerbridge/redis';

/**
 * The AI bot's long-connection relay (lease + outbox): one contract for the in-memory fake and for
 * RedisChannelRelay on real Redis, so the fake the unit tests use cannot drift from what the gateway runs.
 */
function relayContract(name: string, make: () => { a: AibotRelay; b: AibotRelay }) {
  describe(name, () => {
    it('gives the lease to one token at a time; only the holder renews or releases it; it lapses when not renewed', async () => {
      const { a, b } = make();
      const results = await Promise.all([
        a.acquireLease('bot:holder', 'A', 300),
        b.acquireLease('bot:holder', 'B', 300),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const [holder, other] = results[0] ? (['A', 'B'] as const) : (['B', 'A'] as const);
      expect(await b.renewLease('bot:holder', other, 300)).toBe(false);
      expect(await a.renewLease('bot:holder', holder, 300)).toBe(true);
      await a.releaseLease('bot:holder', other);
      expect(await b.acquireLease('bot:holder', other, 300)).toBe(false);
      // Not renewed: the lease lapses, and the other takes it.
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(await b.acquireLease('bot:holder', other, 5_000)).toBe(true);
      expect(await a.renewLease('bot:holder', holder, 300)).toBe(false);
      await b.releaseLease('bot:holder', other);
      expect(await a.acquireLease('bot:holder', holder, 5_000)).toBe(true);
    });

    it("hands out each posted item once, oldest first, and puts a dead holder's in-flight items back first", async () => {
      const { a, b } = make();
      for (const item of ['1', '2', '3']) await a.post('box', item);
      expect(await b.take('box', 100)).toBe('1');
      expect(await b.take('box', 100)).toBe('2');
      await b.done('box', '1');
      // The holder dies with "2" in flight; the next one requeues it ahead of "3".
      expect(await a.requeue('box')).toBe(1);
      expect(await a.take('box', 100)).toBe('2');
      expect(await a.take('box', 100)).toBe('3');
      expect(await a.take('box', 50)).toBeNull();
      await a.done('box', '2');
      await a.done('box', '3');
      expect(await a.requeue('box')).toBe(0);
    });

    it('wakes a waiting take when an item is posted', async () => {
      const { a, b } = make();
      const waiting = b.take('box2', 5_000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await a.post('box2', 'x');
      expect(await waiting).toBe('x');
    });
  });
}

relayContract('InMemoryAibotRelay', () => {
  const relay = new InMemoryAibotRelay();
  return { a: relay, b: relay };
});

const connections: Redis[] = [];
const relays: RedisChannelRelay[] = [];
afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  const [first] = connections;
  const keys = first ? await first.keys('abtest-relay-*') : [];
  if (first && keys.length) await first.del(...keys);
  await Promise.all(connections.map((c) => c.quit()));
});

relayContract('RedisChannelRelay (real Redis, two connections)', () => {
  const prefix = `abtest-relay-${randomUUID().slice(0, 8)}`;
  const [one, two] = [0, 1].map(() => createRedis(inject('services').redisUrl, 'worker', {}));
  if (!one || !two) throw new TypeError('two connections');
  connections.push(one, two);
  const a = new RedisChannelRelay(one, prefix);
  const b = new RedisChannelRelay(two, prefix);
  relays.push(a, b);
  return { a, b };
});
