import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DecisionLogBatch, DecisionRecord, LogCursor } from '@answerbridge/core';
import { PostgresAnalyticsEvents, openDatabase, type Pool } from '@answerbridge/database';
import { AnalyticsRecorder } from '@answerbridge/knowledge';
import { RedisDecisionLog, createRedis } from '@answerbridge/redis';
import { createTestDatabase, type TestDatabase } from '@answerbridge/testing';

const DAY = 86_400_000;
const redis = createRedis(inject('services').redisUrl, 'worker');

function decision(i: number, conversationId = `wecom/b/u${i % 5}`, at = Date.now()): DecisionRecord {
  return {
    at,
    botId: 'b',
    channel: 'wecom',
    messageId: `m${i}`,
    conversationId,
    question: `问题 ${i}`,
    kind: 'answer',
    reason: 'confident',
    entryId: 'e1',
    confidence: 0.9,
    thresholds: { answer: 0.8, suggest: 0.5 },
    scores: [],
  };
}

/**
 * The copy of the decision log (real Redis stream) into PostgreSQL (a real test database): a copier killed in
 * the middle of a batch, copiers racing, a log trimmed past the cursor, erasure and retention.
 */
describe('the analytics copy from the decision log into PostgreSQL', () => {
  let database: TestDatabase;
  let pools: Pool[] = [];
  let prefix: string;
  let log: RedisDecisionLog;
  const open = async () => {
    const pool = await openDatabase(database.url, { applicationName: 'analytics-copy-test' });
    pools.push(pool);
    return pool;
  };
  const recorderOn = (pool: Pool, extra: Partial<ConstructorParameters<typeof AnalyticsRecorder>[0]> = {}) =>
    new AnalyticsRecorder({
      log,
      store: new PostgresAnalyticsEvents(pool, prefix),
      retentionMs: 30 * DAY,
      batchSize: 25,
      intervalMs: 20,
      onError: () => undefined,
      ...extra,
    });
  const rows = async (pool: Pool) =>
    (await pool.query<{ log_id: string }>('SELECT log_id FROM analytics_events ORDER BY id')).rows.map((r) => r.log_id);
  const streamIds = async () => (await redis.xrange(`${prefix}:decisions`, '-', '+')).map(([id]) => id);

  beforeEach(async () => {
    database = await createTestDatabase(inject('services').postgresUrl);
    prefix = `abtest-copy-${randomUUID().slice(0, 8)}`;
    log = new RedisDecisionLog(redis, prefix, { retentionMs: 30 * DAY });
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    pools = [];
    await database.drop();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('a copier killed mid-batch (its connection terminated) leaves nothing half-done: the next one repeats nothing and skips nothing', async () => {
    for (let i = 0; i < 120; i++) await log.record(decision(i));
    const first = await open();
    // The third batch stops after reading the stream, inside its transaction, until the test has killed it.
    let reads = 0;
    let reached: () => void = () => undefined;
    const atThirdRead = new Promise<void>((resolve) => (reached = resolve));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const stalling = {
      readAfter: async (after: LogCursor | null, limit: number): Promise<DecisionLogBatch> => {
        const batch = await log.readAfter(after, limit);
        if (++reads === 3) {
          reached();
          await held;
        }
        return batch;
      },
      lastId: () => log.lastId(),
    };
    const errors: unknown[] = [];
    const crashing = recorderOn(first, { log: stalling, onError: (e) => errors.push(e) });
    crashing.start();
    await atThirdRead;
    // As if the console died: PostgreSQL ends its session, and with it the transaction and the lock.
    const admin = await open();
    const killed = await admin.query<{ pg_terminate_backend: boolean }>(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()`,
    );
    expect(killed.rows).toEqual([{ pg_terminate_backend: true }]);
    release();
    await crashing.stop();
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(await rows(admin)).toEqual((await streamIds()).slice(0, 50));

    // The console starts again (a new pool) while the worker goes on recording.
    for (let i = 120; i < 150; i++) await log.record(decision(i));
    const restarted = recorderOn(await open());
    restarted.start();
    await restarted.caughtUp(30_000);
    await restarted.stop();
    expect(await rows(admin)).toEqual(await streamIds());
    const cursor = await admin.query('SELECT last_id, added, lost FROM analytics_cursor WHERE log = $1', [prefix]);
    expect(cursor.rows).toEqual([{ last_id: (await streamIds()).at(-1), added: '150', lost: '0' }]);
  });

  it('copiers on several consoles copy as one: each entry is written by exactly one of them', async () => {
    for (let i = 0; i < 300; i++) await log.record(decision(i));
    const counted: number[] = [0, 0, 0];
    const copiers = await Promise.all(
      [0, 1, 2].map(async (k) => recorderOn(await open(), { onCopied: (n) => (counted[k]! += n) })),
    );
    copiers.forEach((c) => c.start());
    for (let i = 300; i < 400; i++) await log.record(decision(i));
    await Promise.all(copiers.map((c) => c.caughtUp(30_000)));
    await Promise.all(copiers.map((c) => c.stop()));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(400);
    expect(await rows(pools[0]!)).toEqual(await streamIds());
  });

  it('counts a gap when the log was trimmed past the cursor, and goes on after it', async () => {
    const pool = await open();
    const gaps: { after: string | null; lost: number }[] = [];
    const recorder = recorderOn(pool, { onGap: (g) => gaps.push(g) });
    for (let i = 0; i < 10; i++) await log.record(decision(i));
    await recorder.caughtUp(10_000);
    for (let i = 10; i < 20; i++) await log.record(decision(i));
    const ids = await streamIds();
    // The log kept only its last five entries (MAXLEN / the retention) while the console was away.
    await redis.xtrim(`${prefix}:decisions`, 'MINID', ids[15]!);
    await recorder.caughtUp(10_000);
    expect(gaps).toEqual([{ after: ids[9], lost: 5 }]);
    expect(await rows(pool)).toEqual([...ids.slice(0, 10), ...ids.slice(15)]);
    const { rows: cursor } = await pool.query('SELECT lost FROM analytics_cursor');
    expect(cursor).toEqual([{ lost: '5' }]);
    // Trimmed by age while nothing was left to copy: the copy has all of it, nothing counts as lost.
    await redis.xtrim(`${prefix}:decisions`, 'MAXLEN', 0);
    for (let i = 20; i < 22; i++) await log.record(decision(i));
    await recorder.caughtUp(10_000);
    expect(gaps).toHaveLength(1);
    expect(await rows(pool)).toHaveLength(17);
  });

  it('steps over an entry it cannot read (not JSON) instead of stopping there', async () => {
    const pool = await open();
    await log.record(decision(1));
    await redis.xadd(`${prefix}:decisions`, '*', 'd', '{not json');
    await redis.xadd(`${prefix}:decisions`, '*', 'x', 'an unknown field');
    await log.record(decision(2));
    await recorderOn(pool).caughtUp(10_000);
    const ids = await streamIds();
    expect(await rows(pool)).toEqual([ids[0], ids[3]]);
  });

  it("erases one person's events and feedback (direct and group conversations) and nobody else's", async () => {
    const pool = await open();
    const people = ['a_b', 'axb', 'a_b0'];
    let i = 0;
    for (const person of people)
      for (const conversation of [`wecom/b/${person}`, `wecom/b/group1/${person}`]) {
        const d = decision(i++, conversation);
        await log.record(d);
        await log.recordFeedback({
          at: Date.now(),
          botId: 'b',
          channel: 'wecom',
          messageId: d.messageId,
          conversationId: conversation,
          verdict: 'accurate',
        });
      }
    const recorder = recorderOn(pool);
    await recorder.caughtUp(10_000);
    // The log's readers see the decisions only, however many feedback entries sit between them.
    expect((await log.recent(5)).map((d) => d.messageId)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    expect(await log.recent(100)).toHaveLength(6);
    const store = new PostgresAnalyticsEvents(pool, prefix);
    // `_` is a LIKE wildcard: the person a_b must not take axb's rows with them.
    expect(await store.erase({ channel: 'wecom', botId: 'b', senderId: 'a_b' })).toBe(4);
    const left = await pool.query<{ conversation_id: string }>(
      `SELECT conversation_id FROM analytics_events UNION ALL SELECT conversation_id FROM analytics_feedback`,
    );
    expect(left.rows.map((r) => r.conversation_id).sort()).toEqual(
      ['wecom/b/axb', 'wecom/b/group1/axb', 'wecom/b/a_b0', 'wecom/b/group1/a_b0'].flatMap((c) => [c, c]).sort(),
    );
    expect(await store.erase({ channel: 'wecom', botId: 'b', senderId: 'a_b' })).toBe(0);
    // The log itself: the person's decisions and their feedback go, the others' stay.
    expect(await log.erase({ channel: 'wecom', botId: 'b', senderId: 'a_b' })).toBe(4);
    expect(await redis.xlen(`${prefix}:decisions`)).toBe(8);
  });

  it('deletes the rows past the retention', async () => {
    const pool = await open();
    const now = Date.now();
    await log.record(decision(1, 'wecom/b/old', now - 40 * DAY));
    await log.record(decision(2, 'wecom/b/new', now - 1_000));
    const expired: number[] = [];
    const recorder = recorderOn(pool, { onExpired: (n) => expired.push(n) });
    await recorder.caughtUp(10_000);
    expect(await rows(pool)).toHaveLength(2);
    // The loop applies the retention as it starts (and then hourly).
    recorder.start();
    await recorder.caughtUp(10_000);
    await recorder.stop();
    expect(expired).toEqual([1]);
    const left = await pool.query<{ conversation_id: string }>('SELECT conversation_id FROM analytics_events');
    expect(left.rows).toEqual([{ conversation_id: 'wecom/b/new' }]);
  });
});
