import type { Redis } from 'ioredis';

const savedEntriesKey = (prefix: string, knowledgeBase: string) => `${prefix}:kb:${knowledgeBase}:saved-entries`;

/** FAQ entries saved from conversations and approved, per knowledge base, so every later ingest keeps them. */
export class RedisSavedEntries<T extends { id: string }> {
  constructor(
    private readonly redis: Redis,
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

// KEYS[1] draft, KEYS[2] pending index, KEYS[3] saved entries of its knowledge base.
// ARGV: id, allowed current statuses (comma-separated), new draft JSON, new status, score for the
// pending index, keep-for ms (0: forever), saved entry id ('' for none), saved entry JSON.
const TRANSITION = `
local current = redis.call('get', KEYS[1])
if not current then return {0, false} end
local status = cjson.decode(current)['status']
local allowed = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == status then allowed = true end end
if not allowed then return {0, current} end
if tonumber(ARGV[6]) > 0 then redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[6]) else redis.call('set', KEYS[1], ARGV[3]) end
if ARGV[4] == 'pending' then redis.call('zadd', KEYS[2], ARGV[5], ARGV[1]) else redis.call('zrem', KEYS[2], ARGV[1]) end
if ARGV[7] ~= '' then redis.call('hset', KEYS[3], ARGV[7], ARGV[8]) end
return {1, ARGV[3]}`;

/**
 * Drafts of FAQ entries waiting for review: one JSON string per draft plus a sorted set of the pending
 * ones (oldest first). Every status change is one Lua script, which can also record the approved entry
 * among the saved entries in the same step.
 */
export class RedisFaqDrafts<D extends { id: string; status: string; knowledgeBase: string; savedAt: number }> {
  constructor(
    private readonly redis: Redis,
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

  async create(draft: D): Promise<void> {
    await this.redis
      .multi()
      .set(this.key(draft.id), JSON.stringify(draft), 'PX', this.pendingForMs, 'NX')
      .zadd(this.pendingKey, draft.savedAt, draft.id)
      .exec();
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
    options: { keepForMs?: number; saveEntry?: { knowledgeBase: string; entry: { id: string } } } = {},
  ): Promise<{ changed: boolean; current: D | null }> {
    const saved = options.saveEntry;
    const [changed, current] = (await this.redis.eval(
      TRANSITION,
      3,
      this.key(id),
      this.pendingKey,
      savedEntriesKey(this.prefix, saved?.knowledgeBase ?? to.knowledgeBase),
      id,
      from.join(','),
      JSON.stringify(to),
      to.status,
      String(to.savedAt),
      String(Math.max(0, Math.round(options.keepForMs ?? 0))),
      saved?.entry.id ?? '',
      saved ? JSON.stringify(saved.entry) : '',
    )) as [number, string | null];
    return { changed: changed === 1, current: current ? (JSON.parse(current) as D) : null };
  }
}
