import { thresholdModel } from '@answerbridge/answering';
import { describe, expect, it } from 'vitest';
import { policyMetrics, type PolicyCase } from './policy-metrics';

const at = (expectedId: string | null, dense: [string, number][], kind?: string): PolicyCase => ({
  expectedId,
  ranked: dense.map(([entryId, d]) => ({ entryId, dense: d, keyword: null })),
  ...(kind ? { kind } : {}),
});

describe('policyMetrics', () => {
  it('counts direct answers, suggestions that hold the right entry, and near misses answered, per kind', () => {
    const model = thresholdModel(0.9, 0.8);
    const m = policyMetrics(model, [
      at('a', [
        ['a', 0.95],
        ['b', 0.7],
      ]), // answered right
      at('b', [
        ['a', 0.92],
        ['b', 0.9],
      ]), // answered wrong
      at('c', [
        ['x', 0.85],
        ['c', 0.84],
      ]), // suggested, right one in the list
      at('d', [
        ['x', 0.85],
        ['y', 0.84],
        ['z', 0.83],
        ['d', 0.8],
      ]), // suggested, right one fourth
      at(null, [['a', 0.93]], 'near-miss'), // a near miss answered
      at(null, [['a', 0.5]], 'near-miss'), // handed over
    ]);
    expect(m).toMatchObject({
      questions: 6,
      answered: 3,
      precision: 1 / 3,
      coverage: 0.5,
      unanswerableAnswered: 0.5,
      suggested: 2,
      selfService: 0.5,
    });
    expect(m.byKind['near-miss']).toEqual({ questions: 2, answered: 1, answeredRight: 0, suggested: 0, escalated: 1 });
    expect(m.byKind['in-scope']).toMatchObject({ questions: 4, answered: 2, answeredRight: 1, suggested: 2 });
  });

  it('holds keyword-only search to the keyword threshold: answer at or above it, otherwise hand over, never suggest', () => {
    const bm25 = (expectedId: string | null, top: [string, number]): PolicyCase => ({
      expectedId,
      ranked: [{ entryId: top[0], dense: null, keyword: top[1] }],
    });
    const m = policyMetrics({ keywordThreshold: 12 }, [
      bm25('a', ['a', 14]),
      bm25('b', ['a', 12.5]),
      bm25('c', ['c', 5]),
      bm25(null, ['a', 3]),
    ]);
    expect(m).toMatchObject({ answered: 2, precision: 0.5, suggested: 0, unanswerableAnswered: 0 });
  });
});
