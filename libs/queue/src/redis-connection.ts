import { Redis } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

/**
 * Producers (the HTTP gateway) fail fast when Redis is away, so the platform gets a 5xx and retries;
 * workers block on Redis and must wait for it instead (BullMQ requires maxRetriesPerRequest: null).
 */
export function createRedis(url: string, role: RedisRole): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    lazyConnect: false,
    // A producer under concurrent callbacks sends many small commands per tick: one write for all of
    // them costs both Node and Redis fewer syscalls (bench/gateway). Workers block, so they do not.
    enableAutoPipelining: role === 'producer',
  });
}

export async function waitForRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('redis connection ended before it became ready'));
    };
    const cleanup = () => {
      redis.off('ready', onReady);
      redis.off('end', onEnd);
    };
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}
