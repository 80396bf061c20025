import { describe, expect, it } from 'vitest';
import { outOfScopeAuroc, retrievalMetrics, type QueryOutcome } from './retrieval-metrics';
import { parseEvalQueries } from './eval-queries';

const o = (expectedId: string | null, rank: number | null, confidence: number, topId?: string): QueryOutcome => ({
  query: `q${Math.random()}`,
  expectedId,
  rank,
  topId: topId ?? (rank === 1 ? expectedId : 'other'),
  topQuestion: null,
  confidence,
  top: [],
  ranked: [],
});

describe('retrieval metrics', () => {
  const outcomes = [
    o('a', 1, 0.95),
    o('b', 2, 0.9),
    o('c', null, 0.7),
    o('d', 1, 0.85),
    o(null, null, 0.8),
    o(null, null, 0.92),
  ];

  it('computes top-k and MRR over in-scope queries only', () => {
    expect(retrievalMetrics(outcomes)).toEqual({
      inScope: 4,
      outOfScope: 2,
      top1: 0.5,
      top3: 0.75,
      top5: 0.75,
      mrr: (1 + 0.5 + 0 + 1) / 4,
    });
  });

  it('AUROC is the chance an in-scope question outscores an out-of-scope one', () => {
    // in-scope 0.95 0.9 0.7 0.85 vs out 0.8 0.92: pairs won = (2+1+0+1)/8
    expect(outOfScopeAuroc(outcomes)).toBeCloseTo(4 / 8);
    expect(outOfScopeAuroc([o('a', 1, 0.9)])).toBeNull();
  });
});

describe('parseEvalQueries', () => {
  it('reads in-scope and out-of-scope lines and refuses unknown ids with the line number', () => {
    const known = new Set(['a']);
    expect(
      parseEvalQueries('{"query":"x","expected_id":"a"}\n\n{"query":"y","expected_id":null}\n', 'q.jsonl', known),
    ).toEqual([
      { query: 'x', expectedId: 'a' },
      { query: 'y', expectedId: null },
    ]);
    expect(() => parseEvalQueries('{"query":"x","expected_id":"zz"}', 'q.jsonl', known)).toThrow(
      /q\.jsonl: query 1 \("x"\): expected_id "zz" is not an entry/,
    );
    expect(() => parseEvalQueries('{"query":""}', 'q.jsonl', known)).toThrow(/q\.jsonl:1/);
    expect(() => parseEvalQueries('', 'q.jsonl', known)).toThrow(/no queries/);
  });
});
