import type { ConversationStateStore, DecisionLog, DecisionRecord, PersonRef } from '@answerbridge/core';
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

const DAY_MS = 86_400_000;

/**
 * Decisions in a Redis stream, kept for the retention and capped in length (about the last 100,000):
 * every record trims what is older (by the time in the stream id), and `expire()` does the same when
 * nothing has been recorded for a while.
 */
export class RedisDecisionLog implements DecisionLog {
  private readonly key: string;
  private readonly retentionMs: number;
  private readonly maxLength: number;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** Readers may leave it out; writers pass the configured retention (DATA_RETENTION_DAYS). */
    options: { retentionMs?: number; maxLength?: number } = {},
  ) {
    this.key = `${prefix}:decisions`;
    this.retentionMs = options.retentionMs ?? 90 * DAY_MS;
    this.maxLength = options.maxLength ?? 100_000;
  }

  /** Stream ids start with the time of the entry in ms: every id before this one is too old. */
  private oldestKept(): string {
    return `${Math.max(0, Date.now() - this.retentionMs)}-0`;
  }

  async record(decision: DecisionRecord): Promise<void> {
    const results = await this.redis
      .pipeline()
      .xadd(this.key, 'MAXLEN', '~', String(this.maxLength), '*', 'd', JSON.stringify(decision))
      .xtrim(this.key, 'MINID', this.oldestKept())
      .exec();
    // A pipeline reports each command's error in its results instead of throwing.
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async expire(): Promise<number> {
    return this.redis.xtrim(this.key, 'MINID', this.oldestKept());
  }

  async recent(limit: number): Promise<DecisionRecord[]> {
    const entries = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', limit);
    return entries.flatMap(([, fields]) => {
      const record = parseDecision(fields);
      return record ? [record] : [];
    });
  }

  /** Stream ids are the recording time in ms, so a period is one XRANGE (the record's `at` is a moment earlier). */
  async between(fromMs: number, toMs: number, limit: number): Promise<DecisionRecord[]> {
    const entries = await this.redis.xrange(this.key, `${fromMs}-0`, `(${toMs}-0`, 'COUNT', limit);
    return entries.flatMap(([, fields]) => {
      const record = parseDecision(fields);
      return record ? [record] : [];
    });
  }

  async erase(person: PersonRef): Promise<number> {
    let deleted = 0;
    let start = '-';
    for (;;) {
      const page = await this.redis.xrange(this.key, start, '+', 'COUNT', 1000);
      const last = page.at(-1);
      if (!last) return deleted;
      const mine = page.filter(([, fields]) => {
        const record = parseDecision(fields);
        return (
          record !== null &&
          record.channel === person.channel &&
          record.botId === person.botId &&
          isConversationOf(record.conversationId, person)
        );
      });
      if (mine.length) deleted += await this.redis.xdel(this.key, ...mine.map(([id]) => id));
      start = `(${last[0]}`;
    }
  }
}

function parseDecision(fields: string[]): DecisionRecord | null {
  const at = fields.indexOf('d');
  try {
    return at === -1 ? null : (JSON.parse(fields[at + 1] ?? '') as DecisionRecord);
  } catch {
    return null;
  }
}
