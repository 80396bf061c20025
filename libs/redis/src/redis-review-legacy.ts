import type { RedisClient } from './redis-connection';
import { globLiteral, scanKeys } from './redis-scan';

/** What the review queue kept in Redis before PostgreSQL held it (RedisFaqDrafts, RedisSavedEntries, RedisLearnedPhrasings). */
export interface LegacyReviewData<D, E, P> {
  /** Each draft, with the time its key had left (null: none set). */
  drafts: { draft: D; expiresInMs: number | null }[];
  /** Approved saved entries and learned phrasings, by knowledge base. */
  savedEntries: Map<string, E[]>;
  learnedPhrasings: Map<string, P[]>;
  /** Every key read, for forget() once all of it is stored elsewhere. */
  keys: string[];
}

/**
 * Reads the review queue's old Redis keys under a prefix, so a start after upgrading can move them into
 * PostgreSQL once, then delete them (nothing writes them any more; an erased draft must not come back).
 */
export class RedisReviewLegacy {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async read<D, E, P>(): Promise<LegacyReviewData<D, E, P>> {
    const data: LegacyReviewData<D, E, P> = {
      drafts: [],
      savedEntries: new Map(),
      learnedPhrasings: new Map(),
      keys: [],
    };
    const prefix = globLiteral(this.prefix);
    for await (const page of scanKeys(this.redis, `${prefix}:faq-draft:*`)) {
      for (const key of page) {
        const [raw, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
        data.keys.push(key);
        if (raw === null) continue;
        data.drafts.push({ draft: JSON.parse(raw) as D, expiresInMs: ttl > 0 ? ttl : null });
      }
    }
    data.keys.push(`${this.prefix}:faq-drafts:pending`);
    data.savedEntries = await this.hashesNamed<E>('saved-entries', data.keys);
    data.learnedPhrasings = await this.hashesNamed<P>('learned-phrasings', data.keys);
    return data;
  }

  /** The values of every `<prefix>:kb:<knowledge base>:<name>` hash, by knowledge base; their keys go to `keys`. */
  private async hashesNamed<T>(name: string, keys: string[]): Promise<Map<string, T[]>> {
    const found = new Map<string, T[]>();
    for await (const page of scanKeys(this.redis, `${globLiteral(this.prefix)}:kb:*:${name}`)) {
      for (const key of page) {
        const knowledgeBase = key.slice(`${this.prefix}:kb:`.length, -`:${name}`.length);
        const values = (await this.redis.hvals(key)).map((v) => JSON.parse(v) as T);
        keys.push(key);
        if (values.length) found.set(knowledgeBase, [...(found.get(knowledgeBase) ?? []), ...values]);
      }
    }
    return found;
  }

  /** Deletes the keys read (after what they held was stored elsewhere). */
  async forget(keys: string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < keys.length; i += 500) deleted += await this.redis.del(...keys.slice(i, i + 500));
    return deleted;
  }
}
