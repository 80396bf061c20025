import type { RedisClient } from './redis-connection';

const savedEntriesKey = (prefix: string, knowledgeBase: string) => `${prefix}:kb:${knowledgeBase}:saved-entries`;
const learnedPhrasingsKey = (prefix: string, knowledgeBase: string) =>
  `${prefix}:kb:${knowledgeBase}:learned-phrasings`;

/** FAQ entries saved from conversations and approved, per knowledge base, so every later ingest keeps them. */
export class RedisSavedEntries<T extends { id: string }> {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async save(knowledgeBase: string, entry: T): Promise<void> {
    await this.redis.hset(savedEntriesKey(this.prefix, knowledgeBase), entry.id, JSON.stringify(entry));
  }

  async list(knowledgeBase: string): Promise<T[]> {
    const all = await this.redis.hvals(savedEntriesKey(this.prefix, knowledgeBase));
    return all.map((v) => JSON.parse(v) as T);
  }
}

/** Phrasings learned from use and approved, per knowledge base (by phrasing id), so every later ingest keeps them. */
export class RedisLearnedPhrasings<T extends { id: string }> {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async list(knowledgeBase: string): Promise<T[]> {
    const all = await this.redis.hvals(learnedPhrasingsKey(this.prefix, knowledgeBase));
    return all.map((v) => JSON.parse(v) as T);
  }

  async has(knowledgeBase: string, id: string): Promise<boolean> {
    return (await this.redis.hexists(learnedPhrasingsKey(this.prefix, knowledgeBase), id)) === 1;
  }
}

// KEYS[1] draft, KEYS[2] pending index, KEYS[3] the hash of its knowledge base that keeps what was
// approved (saved entries or learned phrasings). ARGV: id, allowed current statuses (comma-separated), new
// draft JSON, new status, score for the pending index, keep-for ms (0: keep the draft's current expiry),
// kept item id ('' for none), kept item JSON.
const TRANSITION = `
local current = redis.call('get', KEYS[1])
if not current then return {0, false} end
local status = cjson.decode(current)['status']
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == status then allowed = true end end
if not allowed then return {0, current} end
if tonumber(ARGV[6]) > 0 then redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[6]) else redis.call('set', KEYS[1], ARGV[3], 'KEEPTTL') end
if ARGV[4] == 'pending' then redis.call('zadd', KEYS[2], ARGV[5], ARGV[1]) else redis.call('zrem', KEYS[2], ARGV[1]) end
if ARGV[7] ~= '' then redis.call('hset', KEYS[3], ARGV[7], ARGV[8]) end
return {1, ARGV[3]}`;

// KEYS[1] draft, KEYS[2] pending index. ARGV: draft JSON, expiry ms, pending score, id. Only a new id is
// indexed as pending: the same phrasing learned again must not put a decided draft back in the queue.
const CREATE = `
if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('zadd', KEYS[2], ARGV[3], ARGV[4])
  return 1
end
return 0`;

/**
 * Drafts of FAQ entries waiting for review: one JSON string per draft plus a sorted set of the pending
 * ones (oldest first). Every status change is one Lua script, which can also record the approved entry
 * among the saved entries in the same step.
 */
export class RedisFaqDrafts<D extends { id: string; status: string; knowledgeBase: string; savedAt: number }> {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** A draft holds what an asker wrote: one nobody decided within the data retention goes. */
    private readonly pendingForMs: number,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:faq-draft:${id}`;
  }
  private get pendingKey(): string {
    return `${this.prefix}:faq-drafts:pending`;
  }

  async create(draft: D): Promise<boolean> {
    const created = (await this.redis.eval(
      CREATE,
      2,
      this.key(draft.id),
      this.pendingKey,
      JSON.stringify(draft),
      String(this.pendingForMs),
      String(draft.savedAt),
      draft.id,
    )) as number;
    return created === 1;
  }

  async hasLearnedPhrasing(knowledgeBase: string, id: string): Promise<boolean> {
    return (await this.redis.hexists(learnedPhrasingsKey(this.prefix, knowledgeBase), id)) === 1;
  }

  async get(id: string): Promise<D | null> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? null : (JSON.parse(raw) as D);
  }

  async pending(limit: number): Promise<D[]> {
    const ids = await this.redis.zrange(this.pendingKey, 0, limit - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.key(id)));
    // A draft that expired undecided leaves its id behind: drop it from the list.
    const gone = ids.filter((_, i) => raws[i] === null);
    if (gone.length) await this.redis.zrem(this.pendingKey, ...gone);
    return raws.flatMap((raw) => (raw === null ? [] : [JSON.parse(raw) as D]));
  }

  async transition(
    id: string,
    from: string[],
    to: D,
    options: {
      keepForMs?: number;
      saveEntry?: { knowledgeBase: string; entry: { id: string } };
      savePhrasing?: { knowledgeBase: string; phrasing: { id: string } };
    } = {},
  ): Promise<{ changed: boolean; current: D | null }> {
    const kept = options.saveEntry
      ? { key: savedEntriesKey(this.prefix, options.saveEntry.knowledgeBase), item: options.saveEntry.entry }
      : options.savePhrasing
        ? {
            key: learnedPhrasingsKey(this.prefix, options.savePhrasing.knowledgeBase),
            item: options.savePhrasing.phrasing,
          }
        : null;
    const [changed, current] = (await this.redis.eval(
      TRANSITION,
      3,
      this.key(id),
      this.pendingKey,
      kept?.key ?? savedEntriesKey(this.prefix, to.knowledgeBase),
      id,
      from.join(','),
      JSON.stringify(to),
      to.status,
      String(to.savedAt),
      String(Math.max(0, Math.round(options.keepForMs ?? 0))),
      kept?.item.id ?? '',
      kept ? JSON.stringify(kept.item) : '',
    )) as [number, string | null];
    return { changed: changed === 1, current: current ? (JSON.parse(current) as D) : null };
  }
}
