import type { RecentTurn, RecentTurns } from '@answerbridge/core';

export type { RecentTurn } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';

// KEYS[1] the list; ARGV: limit, ttl ms, then the turns as JSON. Appended, trimmed to the last `limit`,
// and kept the retention after this change (the same rule as escalations: untouched for the retention, gone).
const PUSH = `
for i = 3, #ARGV do redis.call('rpush', KEYS[1], ARGV[i]) end
redis.call('ltrim', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('pexpire', KEYS[1], ARGV[2])
return redis.call('llen', KEYS[1])`;

/**
 * The last turns of each conversation with the bot, so an agent who picks it up sees what came before the
 * handover. Kept under `<prefix>:conv:<conversation>:turns`: the personal-data erasure deletes every
 * `<prefix>:conv:<conversation>:*` key of the person, so these go with the bot's memory.
 */
export class RedisRecentTurns implements RecentTurns {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** DATA_RETENTION_DAYS in ms: a conversation untouched this long is forgotten. */
    private readonly retentionMs: number,
    /** How many turns are kept per conversation (the oldest go first). */
    readonly limit = 20,
  ) {}

  private key(conversationId: string): string {
    return `${this.prefix}:conv:${conversationId}:turns`;
  }

  async record(conversationId: string, turns: RecentTurn[]): Promise<void> {
    if (!turns.length) return;
    await this.redis.eval(
      PUSH,
      1,
      this.key(conversationId),
      String(this.limit),
      String(this.retentionMs),
      ...turns.map((t) => JSON.stringify(t)),
    );
  }

  /** Oldest first. A record that does not parse is skipped (never fails the agent's view). */
  async list(conversationId: string): Promise<RecentTurn[]> {
    const raw = await this.redis.lrange(this.key(conversationId), 0, -1);
    return raw.flatMap((r) => {
      try {
        return [JSON.parse(r) as RecentTurn];
      } catch {
        return [];
      }
    });
  }
}
