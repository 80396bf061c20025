import type { DecisionRecord } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import { cosine } from '@answerbridge/core';
import { groupSimilar, sameQuestionThreshold } from './group-questions';
import { inaccurateAnswers, unansweredQuestions } from './unanswered-questions';

let at = 0;
const decision = (conversationId: string, question: string, kind: string, reason: string): DecisionRecord => ({
  at: ++at,
  botId: 'b',
  channel: 'wecom',
  messageId: `m${at}`,
  conversationId,
  question,
  kind,
  reason,
  entryId: kind === 'answer' ? 'e1' : null,
  confidence: 0.5,
  thresholds: { answer: 0.9, suggest: 0.5 },
  scores: [],
});

describe('unansweredQuestions', () => {
  it('finds escalations for want of an answer, lists nobody picked from, and answers followed by 没用', () => {
    const found = unansweredQuestions([
      decision('c1', '食堂几点开饭', 'escalate', 'below-suggest-threshold'),
      decision('c2', '停车费怎么报', 'suggest', 'between-thresholds'),
      decision('c2', '还是不对', 'escalate', 'no-candidates'),
      decision('c3', '年假几天', 'suggest', 'between-thresholds'),
      decision('c3', '1', 'answer', 'picked-suggestion'),
      decision('c4', '怎么改密码', 'answer', 'above-answer-threshold'),
      decision('c4', '没用', 'escalate', 'answer-not-helpful'),
      decision('c5', '转人工', 'escalate', 'asked-for-human'),
      decision('c6', '你好', 'greeting', 'greeting'),
      decision('c7', '工资几号发', 'answer', 'above-answer-threshold'),
    ]);
    expect(found.map((q) => [q.question, q.why])).toEqual([
      ['怎么改密码', 'down-voted'],
      ['还是不对', 'escalated'],
      ['停车费怎么报', 'not-picked'],
      ['食堂几点开饭', 'escalated'],
    ]);
    expect(found[0]?.entryId).toBe('e1');
  });
});

describe('answers marked 不准确 where the channel asks (the AI bot)', () => {
  const verdict = (messageId: string, v: 'accurate' | 'inaccurate' | 'cancelled') => ({
    at: ++at,
    botId: 'b',
    channel: 'wecom-aibot',
    messageId,
    conversationId: 'c',
    verdict: v,
  });

  it("takes each message's last verdict: 不准确, not one changed to 准确 or withdrawn", () => {
    expect(
      inaccurateAnswers([
        verdict('m1', 'inaccurate'),
        verdict('m2', 'inaccurate'),
        verdict('m2', 'accurate'),
        verdict('m3', 'accurate'),
        verdict('m3', 'inaccurate'),
        verdict('m4', 'inaccurate'),
        verdict('m4', 'cancelled'),
      ]),
    ).toEqual(new Set(['m1', 'm3']));
  });

  it('counts an answer marked 不准确 as down-voted, with the entry it answered with', () => {
    const answered = decision('c8', '报销要多久', 'answer', 'above-answer-threshold');
    const fine = decision('c9', '班车几点', 'answer', 'above-answer-threshold');
    const found = unansweredQuestions([answered, fine], new Set([answered.messageId]));
    expect(found).toEqual([expect.objectContaining({ question: '报销要多久', why: 'down-voted', entryId: 'e1' })]);
  });
});

describe('grouping', () => {
  const v = (x: number, y: number) => [x, y];

  it("draws the same-question line from how alike the FAQ's own different questions are", () => {
    // Entries spread around the circle: their pairs are at most cos(30°) alike.
    const entries = [0, 30, 60, 90, 120].map((deg) =>
      v(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)),
    );
    const threshold = sameQuestionThreshold(entries);
    expect(threshold).toBeCloseTo(Math.cos(Math.PI / 6), 5);
    expect(sameQuestionThreshold([v(1, 0)])).toBe(0.9);
  });

  it('groups questions closer than the line, biggest group first, with its most central member as representative', () => {
    const items = [
      { text: 'a1', vector: v(1, 0.05) },
      { text: 'b1', vector: v(0, 1) },
      { text: 'a2', vector: v(1, 0) },
      { text: 'a3', vector: v(1, -0.05) },
      { text: 'b2', vector: v(0.05, 1) },
      { text: 'c', vector: v(-1, 0) },
    ];
    const groups = groupSimilar(items, (i) => i.vector, 0.99);
    expect(groups.map((g) => g.members.map((m) => m.text))).toEqual([['a1', 'a2', 'a3'], ['b1', 'b2'], ['c']]);
    expect(groups[0]?.representative.text).toBe('a2');
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });
});
