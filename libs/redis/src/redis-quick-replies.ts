import type { RedisClient } from './redis-connection';

/** A canned answer agents insert into their reply; admins keep the list. */
export interface QuickReply {
  id: string;
  title: string;
  text: string;
  updatedBy: string;
  updatedAt: number;
}

/**
 * Quick replies in one Redis hash, `<prefix>:quick-replies` (id → JSON). They hold no one's personal data
 * (admins write them), so they do not expire.
 */
export class RedisQuickReplies {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:quick-replies`;
  }

  /** Sorted by title, as people look for them. */
  async list(): Promise<QuickReply[]> {
    const all = await this.redis.hvals(this.key);
    return all
      .flatMap((raw) => {
        try {
          return [JSON.parse(raw) as QuickReply];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.title.localeCompare(b.title, 'zh-CN') || a.id.localeCompare(b.id));
  }

  async count(): Promise<number> {
    return this.redis.hlen(this.key);
  }

  async get(id: string): Promise<QuickReply | null> {
    const raw = await this.redis.hget(this.key, id);
    return raw === null ? null : (JSON.parse(raw) as QuickReply);
  }

  async save(reply: QuickReply): Promise<void> {
    await this.redis.hset(this.key, reply.id, JSON.stringify(reply));
  }

  /** True when it existed. */
  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, id)) === 1;
  }
}
