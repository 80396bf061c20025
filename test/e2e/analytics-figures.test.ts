import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AnswerFeedbackRecord, DecisionRecord } from '@answerbridge/core';
import { PostgresAnalyticsEvents, PostgresAnalyticsFacts, openDatabase, type Pool } from '@answerbridge/database';
import { AnalyticsRecorder, analyzeDecisions, periodAnalytics } from '@answerbridge/knowledge';
import { RedisDecisionLog, createRedis, type Redis } from '@answerbridge/redis';
import { createTestDatabase, type TestDatabase } from '@answerbridge/testing';

const DAY = 86_400_000;
const OFFSET = 480;
/** 2026-11-20 00:00 in China (UTC+8): the period is that day and the next two. */
const FROM = Date.parse('2026-11-19T16:00:00Z');
const TO = FROM + 3 * DAY;

let n = 0;
function decision(at: number, kind: string, question: string, extra: Partial<DecisionRecord> = {}): DecisionRecord {
  n += 1;
  return {
    at,
    botId: 'hr',
    channel: 'wecom-aibot',
    messageId: `m${n}`,
    conversationId: `wecom-aibot/hr/u${n % 7}`,
    question,
    kind,
    reason: kind === 'answer' ? 'confident' : kind === 'escalate' ? 'low-confidence' : 'greeting',
    entryId: kind === 'answer' ? `e${n % 3}` : null,
    confidence: 0.5,
    thresholds: { answer: 0.8, suggest: 0.5 },
    scores: [{ entryId: 'e1', confidence: 0.5, score: 1 }],
    ...extra,
  };
}

/**
 * The decisions of a scripted period: wordings that differ only by spaces (ideographic ones too) and case,
 * picks and requests for a person (not questions), greetings (other), ignored events, day boundaries in China's
 * time, another bot, and decisions just outside the period.
 */
function script(): DecisionRecord[] {
  const d: DecisionRecord[] = [];
  for (let i = 0; i < 12; i++)
    d.push(decision(FROM + i * 3_600_000, 'answer', i % 2 ? 'VPN 怎么连' : ' vpn\u3000怎么连 '));
  for (let i = 0; i < 5; i++) d.push(decision(FROM + DAY - 1 - i, 'suggest', '报销流程是什么'));
  d.push(decision(FROM + DAY, 'answer', '2', { reason: 'picked-suggestion', entryId: 'e9' }));
  d.push(decision(FROM + DAY + 5, 'escalate', '我要转人工', { reason: 'asked-for-human' }));
  for (let i = 0; i < 4; i++) d.push(decision(FROM + DAY + 1_000 * i, 'escalate', '火星食堂菜单'));
  for (let i = 0; i < 6; i++) d.push(decision(FROM + 2 * DAY + i, 'greet', '你好'));
  d.push(decision(FROM + 2 * DAY + 50, 'ignore', ''));
  d.push(decision(FROM + 2 * DAY + 60, 'answer', '   ', { entryId: 'e1' }));
  d.push(decision(FROM - 1, 'answer', '期前的问题'));
  d.push(decision(TO, 'answer', '期后的问题'));
  d.push(decision(FROM + 10, 'answer', '别的机器人', { botId: 'it' }));
  return d;
}

/** The figures of the system of record (SQL over the rows the recorder copied) against the log's own analysis. */
describe('analytics figures in PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let redis: Redis;
  let log: RedisDecisionLog;
  let recorder: AnalyticsRecorder;
  const decisions = script();
  const feedback = (messageId: string, verdict: AnswerFeedbackRecord['verdict'], at: number): AnswerFeedbackRecord => ({
    at,
    botId: 'hr',
    channel: 'wecom-aibot',
    messageId,
    conversationId: 'wecom-aibot/hr/someone',
    verdict,
  });

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').postgresUrl);
    pool = await openDatabase(database.url);
    redis = createRedis(inject('services').redisUrl, 'worker');
    const prefix = `abtest-figures-${randomUUID().slice(0, 8)}`;
    log = new RedisDecisionLog(redis, prefix, { retentionMs: 3650 * DAY });
    for (const d of decisions) await log.record(d);
    const byId = (i: number) => decisions[i]!.messageId;
    // Answers 0..3 rated; 1 changed its mind (later verdict wins), 2 withdrew (cancelled), a suggestion rated,
    // and feedback on a message outside the period and on an unknown message.
    await log.recordFeedback(feedback(byId(0), 'accurate', 1));
    await log.recordFeedback(feedback(byId(1), 'accurate', 2));
    await log.recordFeedback(feedback(byId(1), 'inaccurate', 3));
    await log.recordFeedback(feedback(byId(2), 'inaccurate', 4));
    await log.recordFeedback(feedback(byId(2), 'cancelled', 5));
    await log.recordFeedback(feedback(byId(3), 'accurate', 6));
    await log.recordFeedback(feedback(byId(12), 'inaccurate', 7));
    await log.recordFeedback(feedback(decisions.find((d) => d.question === '期前的问题')!.messageId, 'accurate', 8));
    await log.recordFeedback(feedback('never-decided', 'accurate', 9));
    recorder = new AnalyticsRecorder({
      log,
      store: new PostgresAnalyticsEvents(pool, prefix, () => 'hr-kb'),
      retentionMs: 3650 * DAY,
      batchSize: 7,
      onError: (e) => {
        throw e;
      },
    });
    await recorder.caughtUp(30_000);
  });
  afterAll(async () => {
    await redis?.quit();
    await pool?.end();
    await database?.drop();
  });

  it('equal the analysis of the same decisions: per day in China time, outcomes, top questions, hits', async () => {
    const entries = [
      { id: 'e0', question: '条目 0' },
      { id: 'e1', question: '条目 1' },
      { id: 'e2', question: '条目 2' },
      { id: 'e7', question: '从未命中' },
    ];
    const escalationsOf = async () => [];
    const fromSql = await periodAnalytics({
      facts: new PostgresAnalyticsFacts(pool),
      botId: 'hr',
      from: FROM,
      to: TO,
      utcOffsetMinutes: OFFSET,
      entries,
      escalationsOf,
    });
    const fromLog = analyzeDecisions({
      decisions: decisions.filter((d) => d.botId === 'hr'),
      from: FROM,
      to: TO,
      utcOffsetMinutes: OFFSET,
      entries,
      escalations: [],
    });
    const { feedback: figures, ...rest } = fromSql;
    expect(rest).toEqual(fromLog);
    // What the scenario is about, spelled out (so that both being wrong the same way would show).
    expect(fromSql.messages).toBe(30);
    expect(fromSql.days.map((d) => [d.day, d.messages])).toEqual([
      ['2026-11-20', 17],
      ['2026-11-21', 6],
      ['2026-11-22', 7],
    ]);
    expect(fromSql.topQuestions[0]).toEqual({ question: 'vpn\u3000怎么连', count: 12, answered: 12 });
    expect(fromSql.topQuestions.map((q) => q.question)).not.toContain('2');
    expect(fromSql.entriesByHits.reduce((s, e) => s + e.hits, 0)).toBe(14);
    expect(fromSql.entriesNeverHit).toEqual([{ entryId: 'e7', question: '从未命中' }]);
    expect(figures).toEqual({ accurate: 2, inaccurate: 2, answeredWithFeedback: 3, answeredShare: 3 / 14 });
  });

  it('keeps each decision once with what the log held, and each message with its latest verdict', async () => {
    const events = await pool.query<{ n: number; distinct: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT log_id)::int AS distinct FROM analytics_events',
    );
    expect(events.rows[0]).toEqual({ n: decisions.length, distinct: decisions.length });
    const row = await pool.query(
      `SELECT bot_id, channel, decision, knowledge_base, entry_id, confidence, details->'thresholds' AS thresholds
       FROM analytics_events WHERE message_id = $1`,
      [decisions[0]!.messageId],
    );
    expect(row.rows).toEqual([
      {
        bot_id: 'hr',
        channel: 'wecom-aibot',
        decision: 'answer',
        knowledge_base: 'hr-kb',
        entry_id: decisions[0]!.entryId,
        confidence: 0.5,
        thresholds: { answer: 0.8, suggest: 0.5 },
      },
    ]);
    const verdicts = await pool.query<{ message_id: string; verdict: string; conversation_id: string }>(
      'SELECT message_id, verdict, conversation_id FROM analytics_feedback WHERE message_id = ANY($1)',
      [[decisions[1]!.messageId, decisions[2]!.messageId]],
    );
    expect(verdicts.rows.map((r) => [r.message_id, r.verdict]).sort()).toEqual(
      [
        [decisions[1]!.messageId, 'inaccurate'],
        [decisions[2]!.messageId, 'cancelled'],
      ].sort(),
    );
    // The verdict is filed under the decision's conversation (whose message it was), not the callback's guess.
    expect(verdicts.rows.every((r) => r.conversation_id.startsWith('wecom-aibot/hr/u'))).toBe(true);
  });

  it('count the escalations of the period and ask their timings of the escalated conversations', async () => {
    const asked: string[][] = [];
    const a = await periodAnalytics({
      facts: new PostgresAnalyticsFacts(pool),
      botId: 'hr',
      from: FROM,
      to: TO,
      utcOffsetMinutes: OFFSET,
      entries: [],
      escalationsOf: async (ids) => {
        asked.push([...ids]);
        return [{ escalatedAt: FROM, claimedAt: FROM + 30_000, resolvedAt: FROM + 90_000 }];
      },
    });
    const escalated = decisions.filter((d) => d.botId === 'hr' && d.kind === 'escalate' && d.at >= FROM && d.at < TO);
    expect(asked).toEqual([[...new Set(escalated.map((d) => d.conversationId))]]);
    expect(a.escalations).toEqual({
      count: escalated.length,
      claimed: 1,
      resolved: 1,
      claimSeconds: { median: 30, p90: 30 },
      resolveSeconds: { median: 90, p90: 90 },
    });
  });
});
