import type { KeyValueStore } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';

const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisKeyValueStore implements KeyValueStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:kv:${key}`;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.key(key));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key(key), value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(key), value, 'PX', ttlMs);
  }

  async deleteIfEquals(key: string, expected: string): Promise<boolean> {
    return (await this.redis.eval(COMPARE_AND_DELETE, 1, this.key(key), expected)) === 1;
  }
}
