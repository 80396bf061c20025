import { describe, expect, it } from 'vitest';
import { decisionMetrics, type QueryDecision } from './decision-metrics';

const decision = (
  kind: QueryDecision['kind'],
  entryId: string | null = null,
  suggested: string[] = [],
): QueryDecision => ({
  kind,
  reason: 'above-answer-threshold',
  entryId,
  confidence: null,
  suggested,
});

describe('decisionMetrics', () => {
  it('counts what the bot did per query: right and wrong answers, lists holding the answer, hand-overs, by kind', () => {
    const m = decisionMetrics([
      { query: { query: 'a', expectedId: 'x' }, decision: decision('answer', 'x') },
      { query: { query: 'b', expectedId: 'x' }, decision: decision('answer', 'y') },
      { query: { query: 'c', expectedId: 'x' }, decision: decision('suggest', null, ['y', 'x']) },
      { query: { query: 'd', expectedId: 'x' }, decision: decision('suggest', null, ['y']) },
      { query: { query: 'e', expectedId: null, kind: 'near-miss' }, decision: decision('answer', 'x') },
      { query: { query: 'f', expectedId: null, kind: 'person' }, decision: decision('escalate') },
      { query: { query: 'g', expectedId: null, kind: 'person' }, decision: decision('greeting') },
    ]);
    expect(m).toMatchObject({
      questions: 7,
      answered: 3,
      answeredRight: 1,
      suggested: 2,
      suggestedRight: 1,
      escalated: 1,
      other: 1,
    });
    expect(m.precision).toBeCloseTo(1 / 3);
    expect(m.answeredRightShare).toBeCloseTo(1 / 4);
    expect(m.selfService).toBeCloseTo(2 / 4);
    expect(m.unanswerableAnswered).toBeCloseTo(1 / 3);
    expect(m.byKind['person']).toMatchObject({ questions: 2, escalated: 1, other: 1 });
    expect(m.byKind['in-scope']).toMatchObject({ questions: 4 });
  });

  it('has no precision without answers and no unanswerable share without such questions', () => {
    const m = decisionMetrics([{ query: { query: 'a', expectedId: 'x' }, decision: decision('escalate') }]);
    expect(m.precision).toBeNull();
    expect(m.unanswerableAnswered).toBeNull();
    expect(m.selfService).toBe(0);
  });
});
