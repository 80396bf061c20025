import type { RedisClient } from './redis-connection';

/** One budget an attempt draws from: at most `limit` attempts per fixed window. */
export interface AttemptBudget {
  key: string;
  limit: number;
}

export type AttemptDecision = { allowed: true } | { allowed: false; exhausted: string[]; retryAfterMs: number };

/*
 * Atomically: if any budget is used up, refuse (and count nothing), returning the spent keys and how long
 * until the last of them resets; otherwise take one attempt from every budget, starting a window on a
 * budget's first attempt. One script, so concurrent attempts on any number of replicas cannot all slip
 * through between a check and an increment.
 *   KEYS: the counters; ARGV[1]: window in ms; ARGV[2..]: the limit of each key.
 */
const TAKE = `
local spent = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('get', key) or '0')
  if used >= tonumber(ARGV[i + 1]) then
    table.insert(spent, key)
    local ttl = redis.call('pttl', key)
    if ttl > wait then wait = ttl end
  end
end
if #spent > 0 then return {0, wait, spent} end
for _, key in ipairs(KEYS) do
  if redis.call('incr', key) == 1 then redis.call('pexpire', key, ARGV[1]) end
end
return {1, 0, {}}
`;

// Gives an attempt back (never below zero; an emptied counter goes away).
const GIVE_BACK = `
local used = tonumber(redis.call('get', KEYS[1]) or '0')
if used <= 1 then return redis.call('del', KEYS[1]) end
return redis.call('decr', KEYS[1])
`;

/**
 * Counts attempts per key in Redis, in fixed windows, so every process sharing the Redis sees the same
 * counts (login throttling across console replicas). An attempt is taken before the work it guards and
 * given back, or the budget cleared, when it turns out not to count (a successful login).
 */
export class RedisAttemptLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  private key(key: string): string {
    return `${this.prefix}:attempts:${key}`;
  }

  async take(budgets: AttemptBudget[]): Promise<AttemptDecision> {
    if (budgets.length === 0) return { allowed: true };
    const [allowed, retryAfterMs, spent] = (await this.redis.eval(
      TAKE,
      budgets.length,
      ...budgets.map((b) => this.key(b.key)),
      this.windowMs,
      ...budgets.map((b) => b.limit),
    )) as [number, number, string[]];
    if (allowed === 1) return { allowed: true };
    const byKey = new Map(budgets.map((b) => [this.key(b.key), b.key]));
    return { allowed: false, exhausted: spent.map((k) => byKey.get(k) ?? k), retryAfterMs: Math.max(retryAfterMs, 1) };
  }

  async giveBack(key: string): Promise<void> {
    await this.redis.eval(GIVE_BACK, 1, this.key(key));
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  /** Attempts used in the current window (0 when none). */
  async used(key: string): Promise<number> {
    return Number((await this.redis.get(this.key(key))) ?? 0);
  }
}
