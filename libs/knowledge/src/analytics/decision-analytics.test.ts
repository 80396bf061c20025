import type { DecisionRecord } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import { analyticsCsv, analyzeDecisions } from './decision-analytics';

const DAY = 86_400_000;
// 2026-11-28 00:00 in China (UTC+8).
const from = Date.UTC(2026, 10, 27, 16);
const at = (day: number, hour: number) => from + day * DAY + hour * 3_600_000;
const d = (
  when: number,
  question: string,
  kind: string,
  reason: string,
  entryId: string | null = null,
): DecisionRecord => ({
  at: when,
  botId: 'b',
  channel: 'wecom',
  messageId: `m${when}`,
  conversationId: `c-${question}`,
  question,
  kind,
  reason,
  entryId,
  confidence: null,
  thresholds: { answer: 0.9, suggest: 0.5 },
  scores: [],
});

describe('analyzeDecisions', () => {
  const decisions = [
    d(at(0, 1), '年假几天', 'answer', 'above-answer-threshold', 'leave'),
    d(at(0, 2), '年假 几天', 'answer', 'above-answer-threshold', 'leave'),
    d(at(0, 23), '食堂几点开饭', 'escalate', 'below-suggest-threshold'),
    d(at(1, 3), '报销', 'suggest', 'between-thresholds'),
    d(at(1, 4), '2', 'answer', 'picked-suggestion', 'expense'),
    d(at(1, 5), '你好', 'greeting', 'greeting'),
    d(at(1, 6), '', 'ignore', 'event'),
    d(at(3, 1), '不在期间内', 'answer', 'above-answer-threshold', 'leave'),
  ];
  const analytics = analyzeDecisions({
    decisions,
    from,
    to: from + 3 * DAY,
    utcOffsetMinutes: 480,
    entries: [
      { id: 'leave', question: '年假有几天？' },
      { id: 'expense', question: '怎么报销？' },
      { id: 'wifi', question: 'WiFi 密码？' },
    ],
    escalations: [
      { escalatedAt: 0, claimedAt: 30_000, resolvedAt: 300_000 },
      { escalatedAt: 0, claimedAt: 90_000, resolvedAt: null },
      { escalatedAt: 0, claimedAt: null, resolvedAt: null },
    ],
  });

  it("counts each message once by what became of it, per day in the company's time zone", () => {
    expect(analytics.messages).toBe(6);
    expect(analytics.outcomes).toEqual({ answered: 3, suggested: 1, escalated: 1, other: 1 });
    expect(analytics.days).toEqual([
      { day: '2026-11-28', messages: 3, answered: 2, suggested: 0, escalated: 1, other: 0 },
      { day: '2026-11-29', messages: 3, answered: 1, suggested: 1, escalated: 0, other: 1 },
      { day: '2026-11-30', messages: 0, answered: 0, suggested: 0, escalated: 0, other: 0 },
    ]);
  });

  it('ranks questions, entries by hits and entries never hit, and times escalations', () => {
    expect(analytics.topQuestions[0]).toEqual({ question: '年假几天', count: 2, answered: 2 });
    expect(analytics.topQuestions.map((q) => q.question)).not.toContain('2');
    expect(analytics.entriesByHits).toEqual([
      { entryId: 'leave', question: '年假有几天？', hits: 2 },
      { entryId: 'expense', question: '怎么报销？', hits: 1 },
    ]);
    expect(analytics.entriesNeverHit).toEqual([{ entryId: 'wifi', question: 'WiFi 密码？' }]);
    expect(analytics.escalations).toMatchObject({ claimed: 2, resolved: 1, claimSeconds: { median: 30, p90: 90 } });
  });

  it('exports CSV that Excel on Chinese Windows opens without garbling', () => {
    const csv = analyticsCsv(analytics);
    expect(csv.startsWith('\uFEFF日期,消息数,直接回答,推荐,转人工,其他\r\n2026-11-28,3,2,0,1,0\r\n')).toBe(true);
    expect(csv).toContain('WiFi 密码？,0\r\n');
  });
});
