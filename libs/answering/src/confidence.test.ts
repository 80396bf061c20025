import { describe, expect, it } from 'vitest';
import { assess, evidenceOf, logisticProbability, thresholdModel } from './confidence';

describe('evidenceOf', () => {
  it('reads the top cosine, its margin to the best other entry, BM25 agreement and matching phrasings', () => {
    const evidence = evidenceOf([
      { entryId: 'a', dense: 0.92, keyword: 8, phrasings: 2 },
      { entryId: 'b', dense: 0.85, keyword: 10 },
      { entryId: 'c', dense: 0.88, keyword: null },
    ]);
    expect(evidence).toEqual({
      dense: 0.92,
      margin: expect.closeTo(0.04) as number,
      logMargin: expect.closeTo(Math.log(0.042)) as number,
      keywordShare: 0.8,
      keywordAgrees: 0,
      phrasings: 2,
      rerank: 0,
      uncovered: 0,
    });
  });

  it('says BM25 agrees when the top entry is also the best word match, and caps phrasings at three', () => {
    expect(
      evidenceOf([
        { entryId: 'a', dense: 0.9, keyword: 12, phrasings: 7 },
        { entryId: 'b', dense: 0.8, keyword: 3 },
      ]),
    ).toMatchObject({ keywordAgrees: 1, keywordShare: 1, phrasings: 3 });
  });

  it('reads only the first five candidates, as the search hands them to the policy', () => {
    const list = [0.9, 0.8, 0.7, 0.6, 0.5, 0.89].map((dense, i) => ({ entryId: `e${i}`, dense, keyword: null }));
    expect(evidenceOf(list)?.margin).toBeCloseTo(0.1);
    expect(evidenceOf([])).toBeNull();
  });
});

describe('confidence models', () => {
  it('computes a standardized logistic probability', () => {
    expect(logisticProbability({ mean: [1], scale: [2], weights: [4], bias: 0 }, [1])).toBeCloseTo(0.5);
    expect(logisticProbability({ mean: [1], scale: [2], weights: [4], bias: 0 }, [2])).toBeCloseTo(
      1 / (1 + Math.exp(-2)),
    );
  });

  it('a threshold stand-in reproduces plain cosine thresholds and says it is not calibrated', () => {
    const model = thresholdModel(0.9, 0.8);
    expect(model.calibrated).toBe(false);
    const at = (dense: number) => assess([{ entryId: 'a', dense, keyword: null }], model);
    expect(at(0.9)?.right).toBeGreaterThanOrEqual(model.answerAt);
    expect(at(0.899)?.right).toBeLessThan(model.answerAt);
    expect(at(0.8)?.inTop3).toBeGreaterThanOrEqual(model.suggestAt);
    expect(at(0.799)?.inTop3).toBeLessThan(model.suggestAt);
  });
});
