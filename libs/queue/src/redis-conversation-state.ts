import type { ConversationStateStore, DecisionLog, DecisionRecord } from '@answerbridge/core';
import type { Redis } from 'ioredis';

/** Per-conversation JSON state with a TTL: a forgotten suggestion simply expires. */
export class RedisConversationState<T> implements ConversationStateStore<T> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly name: string,
  ) {}

  private key(conversationId: string): string {
    return `${this.prefix}:conv:${conversationId}:${this.name}`;
  }

  async get(conversationId: string): Promise<T | null> {
    const raw = await this.redis.get(this.key(conversationId));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return null;
    }
  }

  async set(conversationId: string, value: T, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(conversationId), JSON.stringify(value), 'PX', ttlMs);
  }
}

/** Decisions in a capped Redis stream (about the last 100,000). */
export class RedisDecisionLog implements DecisionLog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxLength = 100_000,
  ) {
    this.key = `${prefix}:decisions`;
  }

  async record(decision: DecisionRecord): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', String(this.maxLength), '*', 'd', JSON.stringify(decision));
  }

  async recent(limit: number): Promise<DecisionRecord[]> {
    const entries = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit);
    return entries.flatMap(([, fields]) => {
      const at = fields.indexOf('d');
      try {
        return at === -1 ? [] : [JSON.parse(fields[at + 1] ?? '') as DecisionRecord];
      } catch {
        return [];
      }
    });
  }
}
