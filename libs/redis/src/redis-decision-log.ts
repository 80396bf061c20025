import {
  AnswerbridgeError,
  compareLogIds,
  isConversationOf,
  type AnswerFeedbackLog,
  type AnswerFeedbackReader,
  type AnswerFeedbackRecord,
  type DecisionLog,
  type DecisionLogBatch,
  type DecisionLogEntry,
  type DecisionLogReader,
  type LogCursor,
  type DecisionRecord,
  type PersonRef,
} from '@answerbridge/core';
import type { RedisClient } from './redis-connection';

const DAY_MS = 86_400_000;

/**
 * Decisions in a Redis stream, kept for the retention and capped in length (about the last 100,000):
 * every record trims what is older (by the time in the stream id), and `expire()` does the same when
 * nothing has been recorded for a while. Feedback on answers goes into the same stream (field `f` instead of
 * `d`), so the copy into PostgreSQL reads one ordered log; `recent` and `between` return decisions only.
 */
export class RedisDecisionLog implements DecisionLog, DecisionLogReader, AnswerFeedbackLog, AnswerFeedbackReader {
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
    // Feedback entries share the stream: read on until `limit` decisions are found, or the log ends.
    const found: DecisionRecord[] = [];
    let end = '+';
    while (found.length < limit) {
      const want = limit - found.length;
      const page = await this.redis.xrevrange(this.key, end, '-', 'COUNT', want);
      for (const [id, fields] of page) {
        const decision = parseEntry(id, fields)?.decision;
        if (decision) found.push(decision);
      }
      const last = page.at(-1);
      if (!last || page.length < want) break;
      end = `(${last[0]}`;
    }
    return found;
  }

  async recentFeedback(entries: number): Promise<AnswerFeedbackRecord[]> {
    const page = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', entries);
    return page.flatMap(([id, fields]) => parseEntry(id, fields)?.feedback ?? []).reverse();
  }

  /** Stream ids are the recording time in ms, so a period is one XRANGE (the record's `at` is a moment earlier). */
  async between(fromMs: number, toMs: number, limit: number): Promise<DecisionRecord[]> {
    const entries = await this.redis.xrange(this.key, `${fromMs}-0`, `(${toMs}-0`, 'COUNT', limit);
    return entries.flatMap(([id, fields]) => parseEntry(id, fields)?.decision ?? []);
  }

  /**
   * The entries after the cursor, and how many were lost before them. The range and the stream's counters are
   * read in one MULTI, so they describe the same moment. Redis counts every entry ever added (entries-added):
   * when everything still in the log comes after the cursor, the entries added since the cursor that are no
   * longer there were trimmed (or erased) unread.
   */
  async readAfter(after: LogCursor | null, limit: number): Promise<DecisionLogBatch> {
    const results = await this.redis
      .multi()
      .xrange(this.key, after === null ? '-' : `(${after.id}`, '+', 'COUNT', limit)
      .xinfo('STREAM', this.key)
      .exec();
    const [rangeError, range] = results?.[0] ?? [
      new AnswerbridgeError('REDIS.NO_REPLY', 'decision log read: Redis gave no reply', true),
    ];
    const [infoError, info] = results?.[1] ?? [null, null];
    if (rangeError) throw rangeError;
    if (infoError && !/no such key/i.test(infoError.message)) throw infoError;
    const page = (range ?? []) as [string, string[]][];
    const stream = streamInfo(infoError ? null : (info as unknown[]));
    const entries = page.flatMap(([id, fields]) => parseEntry(id, fields) ?? []);
    const { added, length, first, lastGenerated } = stream;
    const lost =
      after !== null && after.added !== null && first !== null && compareLogIds(first, after.id) > 0
        ? Math.max(0, added - after.added - length)
        : after !== null && after.added !== null && first === null && lastGenerated !== null
          ? Math.max(0, added - after.added)
          : 0;
    const lastRead = page.at(-1)?.[0];
    if (lastRead === undefined) {
      // Nothing to copy; the cursor moves only past lost entries, or to learn its count once.
      if (lost > 0 && lastGenerated !== null) return { entries, next: { id: lastGenerated, added }, lost };
      if (after !== null && after.added === null) return { entries, next: { id: after.id, added }, lost: 0 };
      return { entries, next: null, lost: 0 };
    }
    // Read to the end: the last entry read is the newest, and entries-added counts up to it. Otherwise count
    // on from the cursor (from what was trimmed before the first copy, when there is none yet).
    const base = after === null ? added - length : after.added === null ? null : after.added + lost;
    const count = page.length < limit ? added : base === null ? null : base + page.length;
    return { entries, next: { id: lastRead, added: count }, lost };
  }

  async lastId(): Promise<string | null> {
    try {
      return streamInfo((await this.redis.xinfo('STREAM', this.key)) as unknown[]).lastGenerated;
    } catch (error) {
      if (/no such key/i.test((error as Error).message)) return null;
      throw error;
    }
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

/** XINFO STREAM's reply (a flat list of names and values) as what the copy needs; an absent stream is empty. */
function streamInfo(reply: unknown[] | null): {
  added: number;
  length: number;
  first: string | null;
  lastGenerated: string | null;
} {
  const field = (name: string) => {
    const at = reply ? reply.indexOf(name) : -1;
    return at === -1 ? null : reply![at + 1];
  };
  const firstEntry = field('first-entry');
  const lastGenerated = field('last-generated-id');
  return {
    added: Number(field('entries-added') ?? 0),
    length: Number(field('length') ?? 0),
    first: Array.isArray(firstEntry) && typeof firstEntry[0] === 'string' ? firstEntry[0] : null,
    lastGenerated: typeof lastGenerated === 'string' && lastGenerated !== '0-0' ? lastGenerated : null,
  };
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
