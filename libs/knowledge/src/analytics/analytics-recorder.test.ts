import { describe, expect, it } from 'vitest';
import {
  compareLogIds,
  type AnalyticsCopyStep,
  type AnalyticsEventStore,
  type DecisionLogBatch,
  type DecisionLogEntry,
  type DecisionLogReader,
  type DecisionRecord,
  type LogCursor,
} from '@answerbridge/core';
import { AnalyticsRecorder } from './analytics-recorder';

const decision = (n: number): DecisionRecord => ({
  at: n,
  botId: 'b',
  channel: 'wecom',
  messageId: `m${n}`,
  conversationId: `wecom/b/u${n}`,
  question: `q${n}`,
  kind: 'answer',
  reason: 'confident',
  entryId: 'e1',
  confidence: 0.9,
  thresholds: { answer: 0.8, suggest: 0.5 },
  scores: [],
});

/** A stream in memory, ids `<n>-0`: it knows what it trimmed (Redis tells it by counting what was ever added). */
class FakeLog implements DecisionLogReader {
  entries: DecisionLogEntry[] = [];
  private trimmed = new Set<string>();
  private next = 1;
  /** Called inside each read: a test may fail it (a crash between the read and the commit). */
  onRead: () => void = () => undefined;

  add(count: number): void {
    for (let i = 0; i < count; i++, this.next++)
      this.entries.push({ id: `${this.next}-0`, decision: decision(this.next) });
  }
  trimFirst(count: number): void {
    for (const gone of this.entries.splice(0, count)) this.trimmed.add(gone.id);
  }
  async readAfter(after: LogCursor | null, limit: number): Promise<DecisionLogBatch> {
    this.onRead();
    const later = (id: string) => after === null || compareLogIds(id, after.id) > 0;
    const page = this.entries.filter((e) => later(e.id)).slice(0, limit);
    const first = page[0]?.id;
    const lostIds = [...this.trimmed].filter(
      (id) => after !== null && later(id) && (first === undefined || compareLogIds(id, first) < 0),
    );
    const lastId = page.at(-1)?.id ?? lostIds.at(-1);
    const next = lastId === undefined ? null : { id: lastId, added: Number(lastId.split('-')[0]) };
    return { entries: page, next, lost: lostIds.length };
  }
  async lastId(): Promise<string | null> {
    return this.next > 1 ? `${this.next - 1}-0` : null;
  }
}

/** The store's transaction in memory: what a step saved is kept only when the step resolves. */
class FakeStore implements AnalyticsEventStore {
  rows: DecisionLogEntry[] = [];
  last: LogCursor | null = null;
  lost = 0;
  lockedByOther = false;
  async copy<T>(step: (copy: AnalyticsCopyStep) => Promise<T>) {
    if (this.lockedByOther) return { held: false as const };
    let staged: { rows: DecisionLogEntry[]; cursor: LogCursor; lost: number } | null = null;
    const result = await step({
      cursor: this.last,
      save: async (entries, cursor, options) => {
        staged = { rows: [...entries], cursor, lost: options?.lost ?? 0 };
      },
    });
    const committed = staged as { rows: DecisionLogEntry[]; cursor: LogCursor; lost: number } | null;
    if (committed) {
      this.rows.push(...committed.rows);
      this.last = committed.cursor;
      this.lost += committed.lost;
    }
    return { held: true as const, result };
  }
  async cursor() {
    return this.last;
  }
  async expire(_before: number) {
    return 0;
  }
  async erase() {
    return 0;
  }
}

const ids = (entries: DecisionLogEntry[]) => entries.map((e) => e.id);

describe('AnalyticsRecorder', () => {
  it('copies the log batch by batch, each entry once, and moves the cursor with the rows', async () => {
    const log = new FakeLog();
    const store = new FakeStore();
    log.add(25);
    const recorder = new AnalyticsRecorder({ log, store, retentionMs: 1e9, batchSize: 10, onError: () => undefined });
    expect(await recorder.copyOnce()).toEqual({ held: true, copied: 10, more: true });
    expect(store.last?.id).toBe('10-0');
    await recorder.caughtUp(1_000);
    log.add(3);
    await recorder.caughtUp(1_000);
    expect(ids(store.rows)).toEqual(ids(log.entries));
    expect(new Set(ids(store.rows)).size).toBe(28);
    expect(await recorder.copyOnce()).toEqual({ held: true, copied: 0, more: false });
  });

  it('repeats nothing and skips nothing when a round fails before its commit', async () => {
    const log = new FakeLog();
    const store = new FakeStore();
    log.add(30);
    const errors: unknown[] = [];
    const recorder = new AnalyticsRecorder({
      log,
      store,
      retentionMs: 1e9,
      batchSize: 10,
      onError: (e) => errors.push(e),
    });
    await recorder.copyOnce();
    log.onRead = () => {
      throw new Error('connection lost');
    };
    await expect(recorder.copyOnce()).rejects.toThrow('connection lost');
    expect(store.last?.id).toBe('10-0');
    log.onRead = () => undefined;
    // A new copier (the console restarted) goes on from the committed cursor.
    const again = new AnalyticsRecorder({
      log,
      store,
      retentionMs: 1e9,
      batchSize: 10,
      onError: (e) => errors.push(e),
    });
    await again.caughtUp(1_000);
    expect(ids(store.rows)).toEqual(ids(log.entries));
  });

  it('counts and reports entries trimmed before they were copied, and goes on after them', async () => {
    const log = new FakeLog();
    const store = new FakeStore();
    log.add(5);
    const gaps: { after: string | null; lost: number }[] = [];
    const recorder = new AnalyticsRecorder({
      log,
      store,
      retentionMs: 1e9,
      onGap: (g) => gaps.push(g),
      onError: () => undefined,
    });
    await recorder.caughtUp(1_000);
    log.add(5);
    log.trimFirst(8);
    await recorder.caughtUp(1_000);
    expect(gaps).toEqual([{ after: '5-0', lost: 3 }]);
    expect(store.lost).toBe(3);
    expect(ids(store.rows)).toEqual(['1-0', '2-0', '3-0', '4-0', '5-0', '9-0', '10-0']);
    // Everything after the cursor trimmed: the cursor moves past it, and the gap is reported once.
    log.add(2);
    log.trimFirst(4);
    await recorder.caughtUp(1_000);
    expect(store.last?.id).toBe('12-0');
    expect(gaps).toEqual([
      { after: '5-0', lost: 3 },
      { after: '10-0', lost: 2 },
    ]);
    await recorder.copyOnce();
    expect(gaps).toHaveLength(2);
  });

  it('does nothing while another copier holds the lock', async () => {
    const log = new FakeLog();
    const store = new FakeStore();
    log.add(3);
    store.lockedByOther = true;
    const recorder = new AnalyticsRecorder({ log, store, retentionMs: 1e9, onError: () => undefined });
    expect(await recorder.copyOnce()).toEqual({ held: false, copied: 0, more: false });
    expect(store.rows).toEqual([]);
    await expect(recorder.caughtUp(50)).rejects.toThrow(/has not reached log entry 3-0 within 50 ms/);
  });

  it('runs as a loop that new entries wake, expires past the retention, and stops cleanly', async () => {
    const log = new FakeLog();
    const store = new FakeStore();
    const expired: number[] = [];
    store.expire = async (before: number) => (expired.push(before), 2);
    const now = 10_000;
    const recorder = new AnalyticsRecorder({
      log,
      store,
      retentionMs: 4_000,
      intervalMs: 60_000,
      nowMs: () => now,
      onError: () => undefined,
    });
    recorder.start();
    log.add(4);
    // The loop sleeps for a minute between rounds: caughtUp wakes it rather than waiting.
    await recorder.caughtUp(1_000);
    expect(store.rows).toHaveLength(4);
    expect(expired).toEqual([6_000]);
    await recorder.stop();
    log.add(1);
    await recorder.copyOnce();
    expect(store.rows).toHaveLength(5);
  });
});

describe('AnalyticsRecorder.stop', () => {
  it('ends a round stuck on a log that does not answer, so stopping does not hang', async () => {
    const store = new FakeStore();
    const stuck: DecisionLogReader = {
      readAfter: () => new Promise<DecisionLogBatch>(() => undefined),
      lastId: async () => null,
    };
    const errors: unknown[] = [];
    const recorder = new AnalyticsRecorder({
      log: stuck,
      store,
      retentionMs: 1e9,
      readTimeoutMs: 50,
      onError: (e) => errors.push(e),
    });
    // The round fails after the read timeout (its transaction then rolls back), and stop() returns.
    recorder.start();
    await recorder.stop();
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'ANALYTICS.LOG_TIMEOUT',
        message: 'the decision log (Redis) did not answer within 50 ms: is Redis up?',
      }),
    ]);
  });
});
