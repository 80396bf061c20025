import type { DecisionRecord, PersonRef } from './ports';

/** 准确 / 不准确, or 取消 (the person withdrew a verdict: it counts as none). */
export type FeedbackVerdict = 'accurate' | 'inaccurate' | 'cancelled';

/**
 * A person's verdict on one answer, where the channel asks for it (the WeCom AI bot's 准确/不准确). It names the
 * decision by its `messageId`; a later verdict on the same message replaces an earlier one.
 */
export interface AnswerFeedbackRecord {
  at: number;
  botId: string;
  channel: string;
  messageId: string;
  /** Whose it is (as in the decision): an erasure request finds it by this. */
  conversationId: string;
  verdict: FeedbackVerdict;
  /** What the person wrote and the reasons they ticked (only for `inaccurate`). */
  content?: string;
  reasons?: number[];
}

/** Where a channel's gateway side records feedback: the decision log's Redis stream, so no callback waits on SQL. */
export interface AnswerFeedbackLog {
  recordFeedback(feedback: AnswerFeedbackRecord): Promise<void>;
}

/** The latest feedback people gave, for the queue of questions the bot did not answer well. */
export interface AnswerFeedbackReader {
  /** The feedback among the newest `entries` entries of the log, oldest first (a later verdict replaces one before). */
  recentFeedback(entries: number): Promise<AnswerFeedbackRecord[]>;
}

/** One entry of the decision log as it was written: a decision, or feedback on one. */
export type DecisionLogEntry =
  | { id: string; decision: DecisionRecord; feedback?: undefined }
  | { id: string; feedback: AnswerFeedbackRecord; decision?: undefined };

/** A place in the decision log: an entry's id, and how many entries the log had ever been given up to it. */
export interface LogCursor {
  id: string;
  /** Redis's entries-added as of this entry, when known: what tells entries trimmed away from none at all. */
  added: number | null;
}

export interface DecisionLogBatch {
  /** Oldest first. Entries that cannot be read (not JSON) are left out; `next` still moves past them. */
  entries: DecisionLogEntry[];
  /** Where the cursor goes after this batch, or null when it stays. */
  next: LogCursor | null;
  /**
   * How many entries after the cursor were deleted before they were read: the log was trimmed past it (the
   * copier was away longer than the log keeps), or, rarely, a person's entries were erased first.
   */
  lost: number;
}

/** The decision log read in order by its ids, for the copy into the system of record. */
export interface DecisionLogReader {
  /** The entries after `after` (null: from the first), at most `limit`. */
  readAfter(after: LogCursor | null, limit: number): Promise<DecisionLogBatch>;
  /** The id of the newest entry ever written, or null for an empty log. */
  lastId(): Promise<string | null>;
}

/** One copy step inside the analytics store's transaction (held by one copier at a time). */
export interface AnalyticsCopyStep {
  /** The last log entry copied, or null before the first copy. */
  cursor: LogCursor | null;
  /**
   * Inserts the entries and moves the cursor to `cursor`, in the same transaction as the read of the cursor;
   * `lost`: entries the log lost before this batch (counted with the cursor).
   */
  save(entries: readonly DecisionLogEntry[], cursor: LogCursor, options?: { lost?: number }): Promise<void>;
}

/** Analytics facts in the system of record (PostgreSQL): what the copier writes, erasure and retention. */
export interface AnalyticsEventStore {
  /**
   * Runs `step` under the copier lock in one transaction (committed when it resolves). Resolves `{ held: false }`
   * without running it when another copier holds the lock.
   */
  copy<T>(step: (copy: AnalyticsCopyStep) => Promise<T>): Promise<{ held: true; result: T } | { held: false }>;
  /** The cursor as last committed. */
  cursor(): Promise<LogCursor | null>;
  /** Deletes the events and feedback recorded before `beforeMs`; returns how many rows. */
  expire(beforeMs: number): Promise<number>;
  /**
   * Deletes every event and feedback about this person's conversations; waits for a copy in progress first,
   * so rows read from the log before its erasure are not written back after. Returns how many rows.
   */
  erase(person: PersonRef): Promise<number>;
}

/** Compares two stream ids (`<ms>-<seq>`) by number: negative when `a` is older. */
export function compareLogIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/** What a decision counts as in the statistics: the shares the page shows add up to the messages. */
export type AnalyticsOutcome = 'answered' | 'suggested' | 'escalated' | 'other';

export interface AnalyticsQuery {
  botId: string;
  /** The period, `from` included, `to` not (ms). */
  from: number;
  to: number;
  /** Days are counted in this offset from UTC (China: 480). */
  utcOffsetMinutes: number;
  topLimit: number;
  /** Reasons whose messages are not questions about the FAQ (a pick such as "2", asking for a person). */
  notQuestions: readonly string[];
}

/** The aggregates of one bot's period, as the system of record counts them. */
export interface AnalyticsFacts {
  /** Messages per day and outcome (days without any are left out). */
  days: { day: string; outcome: AnalyticsOutcome; count: number }[];
  /** Most asked wordings (spaces and case do not split them), first asked first among equals. */
  topQuestions: { question: string; count: number; answered: number }[];
  /** Entries the bot answered with, by how often, most first. */
  hits: { entryId: string; hits: number }[];
  /** The conversations the period's escalations were about. */
  escalatedConversations: string[];
  /** Verdicts on the period's messages; `answeredWithFeedback`: answered messages that got one. */
  feedback: { accurate: number; inaccurate: number; answeredWithFeedback: number };
}

export interface AnalyticsFactsSource {
  facts(query: AnalyticsQuery): Promise<AnalyticsFacts>;
}
