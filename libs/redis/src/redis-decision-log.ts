import {
  compareLogIds,
  isConversationOf,
  type AnswerFeedbackLog,
  type AnswerFeedbackRecord,
  type DecisionLog,
  type DecisionLogBatch,
  type DecisionLogEntry,
  type DecisionLogReader,
  type DecisionRecord,
  type PersonRef,
} from '@answerbridge/core';
import type { Redis } from 'ioredis';

const DAY_MS = 86_400_000;

/**
 * Decisions in a Redis stream, kept for the retention and capped in length (about the last 100,000):
 * every record trims what is older (by the time in the stream id), and `expire()` does the same when
 * nothing has been recorded for a while. Feedback on answers goes into the same stream (field `f` instead of
 * `d`), so the copy into PostgreSQL reads one ordered log; `recent` and `between` return decisions only.
 */
export class RedisDecisionLog implements DecisionLog, DecisionLogReader, AnswerFeedbackLog {
  private readonly key: string;
  private readonly retentionMs: number;
  private readonly maxLength: number;

  constructor(
    private readonly redis: Redis,
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
    await this.append('d', JSON.stringify(decision));
  }

  async recordFeedback(feedback: AnswerFeedbackRecord): Promise<void> {
    await this.append('f', JSON.stringify(feedback));
  }

  private async append(field: 'd' | 'f', value: string): Promise<void> {
    const results = await this.redis
      .pipeline()
      .xadd(this.key, 'MAXLEN', '~', String(this.maxLength), '*', field, value)
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
    return entries.flatMap(([id, fields]) => parseEntry(id, fields)?.decision ?? []);
  }

  /** Stream ids are the recording time in ms, so a period is one XRANGE (the record's `at` is a moment earlier). */
  async between(fromMs: number, toMs: number, limit: number): Promise<DecisionRecord[]> {
    const entries = await this.redis.xrange(this.key, `${fromMs}-0`, `(${toMs}-0`, 'COUNT', limit);
    return entries.flatMap(([id, fields]) => parseEntry(id, fields)?.decision ?? []);
  }

  async readAfter(afterId: string | null, limit: number): Promise<DecisionLogBatch> {
    const page = await this.redis.xrange(this.key, afterId === null ? '-' : `(${afterId}`, '+', 'COUNT', limit);
    const entries = page.flatMap(([id, fields]) => parseEntry(id, fields) ?? []);
    const last = page.at(-1)?.[0] ?? null;
    if (afterId === null) return { entries, last, lostThrough: null };
    // An entry deleted after the cursor and before the first one still there was never read: trimmed (the
    // copier was away longer than the log keeps) or erased. Redis remembers the newest id it deleted.
    const maxDeleted = (await this.info())?.maxDeleted ?? null;
    const first = page[0]?.[0];
    const lost =
      maxDeleted !== null &&
      compareLogIds(maxDeleted, afterId) > 0 &&
      (first === undefined || compareLogIds(maxDeleted, first) < 0);
    return { entries, last, lostThrough: lost ? maxDeleted : null };
  }

  async lastId(): Promise<string | null> {
    return (await this.info())?.lastGenerated ?? null;
  }

  private async info(): Promise<{ lastGenerated: string | null; maxDeleted: string | null } | null> {
    let reply: unknown[];
    try {
      reply = (await this.redis.call('XINFO', 'STREAM', this.key)) as unknown[];
    } catch (error) {
      if (/no such key/i.test((error as Error).message)) return null;
      throw error;
    }
    const field = (name: string) => {
      const at = reply.indexOf(name);
      const value = at === -1 ? null : reply[at + 1];
      return typeof value === 'string' && value !== '0-0' ? value : null;
    };
    return { lastGenerated: field('last-generated-id'), maxDeleted: field('max-deleted-entry-id') };
  }

  /** Deletes the person's decisions and their feedback. */
  async erase(person: PersonRef): Promise<number> {
    let deleted = 0;
    let start = '-';
    for (;;) {
      const page = await this.redis.xrange(this.key, start, '+', 'COUNT', 1000);
      const last = page.at(-1);
      if (!last) return deleted;
      const mine = page.filter(([id, fields]) => {
        const entry = parseEntry(id, fields);
        const about = entry?.decision ?? entry?.feedback;
        return (
          about !== undefined &&
          about.channel === person.channel &&
          about.botId === person.botId &&
          isConversationOf(about.conversationId, person)
        );
      });
      if (mine.length) deleted += await this.redis.xdel(this.key, ...mine.map(([id]) => id));
      start = `(${last[0]}`;
    }
  }
}

function parseEntry(id: string, fields: string[]): DecisionLogEntry | null {
  try {
    const d = fields.indexOf('d');
    if (d !== -1) return { id, decision: JSON.parse(fields[d + 1] ?? '') as DecisionRecord };
    const f = fields.indexOf('f');
    if (f !== -1) return { id, feedback: JSON.parse(fields[f + 1] ?? '') as AnswerFeedbackRecord };
    return null;
  } catch {
    return null;
  }
}
