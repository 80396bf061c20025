import type { ChannelRelay } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// Every in-flight item back to the head of the box (its right end, where takes pop), oldest taken first, in one step.
const REQUEUE = `
local n = 0
while redis.call('lmove', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do n = n + 1 end
return n
`;

/**
 * What a channel holding a connection needs from Redis beyond KeyValueStore (the WeCom AI bot's long
 * connection, libs/channels/wecom-aibot's AibotRelay port): a lease renewed only by its holder, and a
 * reliable outbox (LPUSH → BLMOVE into `<box>:inflight` → LREM when done; the next holder moves in-flight
 * items back). Keys: `<prefix>:relay:<key>`. Blocking takes use a connection of their own, opened on first use.
 */
export class RedisChannelRelay implements ChannelRelay {
  private blocking: RedisClient | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:relay:${key}`;
  }

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key(key), token, 'PX', Math.ceil(ttlMs), 'NX')) === 'OK';
  }

  async renewLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key(key), token, String(Math.ceil(ttlMs)))) === 1;
  }

  async releaseLease(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(key), token);
  }

  async post(box: string, item: string): Promise<void> {
    await this.redis.lpush(this.key(box), item);
  }

  async take(box: string, waitMs: number): Promise<string | null> {
    this.blocking ??= this.redis.duplicate();
    return this.blocking.blmove(
      this.key(box),
      this.key(`${box}:inflight`),
      'RIGHT',
      'LEFT',
      Math.max(0.01, waitMs / 1000),
    );
  }

  async done(box: string, item: string): Promise<void> {
    await this.redis.lrem(this.key(`${box}:inflight`), 1, item);
  }

  async requeue(box: string): Promise<number> {
    return Number(await this.redis.eval(REQUEUE, 2, this.key(`${box}:inflight`), this.key(box)));
  }

  async close(): Promise<void> {
    const blocking = this.blocking;
    this.blocking = null;
    blocking?.disconnect();
  }
}
