import type { ConversationStateStore, PersonRef } from '@answerbridge/core';
import { isConversationOf } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';
import { globLiteral, scanKeys } from './redis-scan';

/**
 * Per-conversation JSON state with a TTL: a forgotten suggestion simply expires. The TTL is never longer
 * than the retention of what people wrote.
 */
export class RedisConversationState<T> implements ConversationStateStore<T> {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly name: string,
    private readonly retentionMs = Number.POSITIVE_INFINITY,
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
    await this.redis.set(this.key(conversationId), JSON.stringify(value), 'PX', Math.min(ttlMs, this.retentionMs));
  }

  /** Every `<prefix>:conv:<conversation>:*` key of the person's conversations, whichever store wrote it. */
  async erase(person: PersonRef): Promise<number> {
    const base = `${this.prefix}:conv:`;
    const pattern = `${base}${globLiteral(`${person.channel}/${person.botId}/`)}*${globLiteral(person.senderId)}:*`;
    let deleted = 0;
    for await (const keys of scanKeys(this.redis, pattern)) {
      // The state's name follows the last ':' (conversation ids may hold ':', names do not).
      const mine = keys.filter((key) => isConversationOf(key.slice(base.length, key.lastIndexOf(':')), person));
      if (mine.length) deleted += await this.redis.del(...mine);
    }
    return deleted;
  }
}
