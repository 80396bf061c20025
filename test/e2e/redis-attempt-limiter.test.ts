import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisAttemptLimiter, createRedis, type Redis } from '@answerbridge/redis';

/** The attempt budgets behind the console's login throttle, on real Redis, from two connections at once. */
describe('RedisAttemptLimiter', () => {
  let one: Redis;
  let two: Redis;
  const prefix = `abtest-limiter-${randomUUID().slice(0, 8)}`;

  beforeAll(() => {
    one = createRedis(inject('services').redisUrl, 'worker', {});
    two = createRedis(inject('services').redisUrl, 'worker', {});
  });
  afterAll(async () => {
    const keys = await one.keys(`${prefix}:*`);
    if (keys.length) await one.del(...keys);
    await Promise.all([one.quit(), two.quit()]);
  });

  it('lets exactly `limit` concurrent attempts through, from any number of clients, and counts no refused one', async () => {
    const a = new RedisAttemptLimiter(one, prefix, 60_000);
    const b = new RedisAttemptLimiter(two, prefix, 60_000);
    const decisions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).take([{ key: 'acct:x', limit: 7 }])),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
    expect(await a.used('acct:x')).toBe(7);
    const refused = decisions.find((d) => !d.allowed);
    expect(refused).toMatchObject({ allowed: false, exhausted: ['acct:x'] });
    expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('refuses when any budget is spent, takes from none then, and from all otherwise', async () => {
    const limiter = new RedisAttemptLimiter(one, prefix, 60_000);
    expect(await limiter.take([{ key: 'addr:1', limit: 1 }])).toEqual({ allowed: true });
    const both = [
      { key: 'acct:y', limit: 5 },
      { key: 'addr:1', limit: 1 },
    ];
    expect(await limiter.take(both)).toMatchObject({ allowed: false, exhausted: ['addr:1'] });
    expect(await limiter.used('acct:y')).toBe(0);
    await limiter.giveBack('addr:1');
    expect(await limiter.used('addr:1')).toBe(0);
    expect(await limiter.take(both)).toEqual({ allowed: true });
    expect([await limiter.used('acct:y'), await limiter.used('addr:1')]).toEqual([1, 1]);
    await limiter.clear('acct:y');
    expect(await limiter.used('acct:y')).toBe(0);
    await limiter.giveBack('never-used');
    expect(await limiter.used('never-used')).toBe(0);
  });

  it('opens the budget again when the window ends', async () => {
    const limiter = new RedisAttemptLimiter(one, prefix, 300);
    expect((await limiter.take([{ key: 'short', limit: 1 }])).allowed).toBe(true);
    expect((await limiter.take([{ key: 'short', limit: 1 }])).allowed).toBe(false);
    expect(await one.pttl(`${prefix}:attempts:short`)).toBeLessThanOrEqual(300);
    await expect
      .poll(async () => (await limiter.take([{ key: 'short', limit: 1 }])).allowed, { timeout: 5_000, interval: 50 })
      .toBe(true);
  });
});
