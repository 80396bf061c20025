import { assess } from '@answerbridge/answering';
import { describe, expect, it } from 'vitest';
import { fitConfidenceModel, fitLogistic, wilsonBound, type LabelledMatch } from './fit-confidence';

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Synthetic questions where, as in real search, being right depends on the margin to the runner-up as
 * much as on the top cosine: an in-scope question's right entry usually leads clearly; a near miss scores
 * as high but on two close entries; an out-of-scope one scores low.
 */
function synthetic(n: number, seed: number): LabelledMatch[] {
  const r = random(seed);
  return Array.from({ length: n }, (_, i): LabelledMatch => {
    const kind = i % 3;
    const top = kind === 2 ? 0.8 + 0.06 * r() : 0.86 + 0.1 * r();
    const margin = kind === 0 ? 0.015 + 0.06 * r() : 0.0 + 0.015 * r();
    // In scope and clear: the expected entry is first; in scope but close: it is second half the time.
    const expectedId = kind === 0 ? 'a' : kind === 1 ? (r() < 0.5 ? 'b' : null) : null;
    return {
      expectedId,
      ranked: [
        { entryId: 'a', dense: top, keyword: 5 + 5 * r(), phrasings: 1 },
        { entryId: 'b', dense: top - margin, keyword: 5 * r(), phrasings: 1 },
        { entryId: 'c', dense: top - margin - 0.02, keyword: null, phrasings: 1 },
      ],
    };
  });
}

describe('fitLogistic', () => {
  it('recovers the direction of a one-feature relation, and stays finite on separable data', () => {
    const xs = [[0], [1], [2], [3], [4], [5]];
    const model = fitLogistic(xs, [false, false, false, true, true, true]);
    expect(model.weights[0]).toBeGreaterThan(0);
    expect(Number.isFinite(model.weights[0])).toBe(true);
  });
});

describe('wilsonBound', () => {
  it('brackets the observed share and tightens with more questions', () => {
    expect(wilsonBound(19, 20, 1.96)).toBeLessThan(0.95);
    expect(wilsonBound(19, 20, -1.96)).toBeGreaterThan(0.95);
    expect(wilsonBound(190, 200, 1.96)).toBeGreaterThan(wilsonBound(19, 20, 1.96));
    expect(wilsonBound(0, 0, 1.28)).toBe(0);
  });
});

describe('fitConfidenceModel', () => {
  it('answers clear leads and not near misses, meets its target on held-out folds, and reports an interval', () => {
    const model = fitConfidenceModel(synthetic(600, 7), { targetPrecision: 0.97, fittedOn: 'synthetic' });
    expect(model.calibrated).toBe(true);
    const expected = model.expected;
    expect(expected).not.toBeNull();
    expect(expected?.precision).toBeGreaterThanOrEqual(0.95);
    expect(expected?.low).toBeLessThanOrEqual(expected?.precision ?? 0);
    expect(expected?.high).toBeGreaterThanOrEqual(expected?.precision ?? 1);
    expect(expected?.coverage).toBeGreaterThan(0.5);
    // Fresh questions from the same world, never seen by the fit.
    const fresh = synthetic(300, 99);
    const answered = fresh.filter((m) => (assess(m.ranked, model)?.right ?? 0) >= model.answerAt);
    const right = answered.filter((m) => m.expectedId === m.ranked[0]?.entryId);
    expect(answered.length).toBeGreaterThan(50);
    // New questions come close to the target (the interval the fit reported is for the expectation, and a
    // few hundred questions vary around it).
    expect(right.length / answered.length).toBeGreaterThan(0.9);
    // Near misses lead by under 0.015, in-scope questions by more: a sharp model answers a few at that edge.
    const nearMisses = fresh.filter((m, i) => i % 3 === 1 && m.expectedId === null);
    expect(
      nearMisses.filter((m) => (assess(m.ranked, model)?.right ?? 0) >= model.answerAt).length,
    ).toBeLessThanOrEqual(nearMisses.length * 0.08);
  });

  it('reads the margin on a log scale where the questions show it pays, and as it is where not', () => {
    // Being right grows with the log of the lead: going from 0.001 to 0.01 says more than 0.1 to 0.2, which
    // no straight line over the margin as it is can follow.
    const r = random(3);
    const leads = Array.from({ length: 600 }, (): LabelledMatch => {
      const top = 0.8 + 0.2 * r();
      const margin = 0.0005 * Math.exp(r() * Math.log(600));
      return {
        expectedId: top + 0.03 * Math.log(margin + 0.002) > 0.78 ? 'a' : 'b',
        ranked: [
          { entryId: 'a', dense: top, keyword: null, phrasings: 1 },
          { entryId: 'b', dense: top - margin, keyword: null, phrasings: 1 },
        ],
      };
    });
    const logScale = fitConfidenceModel(leads, { targetPrecision: 0.95, fittedOn: 'leads' });
    expect(logScale.features).toContain('logMargin');
    expect(logScale.features).not.toContain('margin');
    expect(logScale.expected?.precision).toBeGreaterThanOrEqual(0.95);
    expect(logScale.expected?.coverage).toBeGreaterThan(0.4);
    // Where the lead says nothing (being right shows in the matching phrasings), both forms answer the same
    // held-out questions, and the first, the margin as it is, is kept.
    const byPhrasings = Array.from({ length: 600 }, (_, i): LabelledMatch => {
      const top = 0.8 + 0.2 * r();
      return {
        expectedId: i % 2 ? 'a' : 'b',
        ranked: [
          { entryId: 'a', dense: top, keyword: null, phrasings: i % 2 ? 3 : 1 },
          { entryId: 'b', dense: top - 0.05 * r(), keyword: null, phrasings: 1 },
        ],
      };
    });
    const plain = fitConfidenceModel(byPhrasings, { targetPrecision: 0.95, fittedOn: 'phrasings' });
    expect(plain.expected?.coverage).toBeGreaterThan(0.45);
    expect(plain.features).toContain('margin');
    expect(plain.features).not.toContain('logMargin');
  });

  it('a stricter lower bound answers less, never more', () => {
    const data = synthetic(600, 7);
    const loose = fitConfidenceModel(data, { targetPrecision: 0.95, fittedOn: 'synthetic', z: 0 });
    const strict = fitConfidenceModel(data, { targetPrecision: 0.95, fittedOn: 'synthetic', z: 2 });
    expect(strict.answerAt).toBeGreaterThanOrEqual(loose.answerAt);
    expect(strict.expected?.coverage).toBeLessThanOrEqual(loose.expected?.coverage ?? 0);
  });

  it('cross-validates on ten folds with at least ten questions per fold, else on five', () => {
    expect(
      fitConfidenceModel(synthetic(600, 7), { targetPrecision: 0.97, fittedOn: 'synthetic' }).expected?.folds,
    ).toBe(10);
    expect(fitConfidenceModel(synthetic(60, 7), { targetPrecision: 0.97, fittedOn: 'synthetic' }).expected?.folds).toBe(
      5,
    );
  });

  it('refuses to calibrate on too few questions, saying how many it needs', () => {
    expect(() => fitConfidenceModel(synthetic(10, 1), { targetPrecision: 0.97, fittedOn: 'tiny' })).toThrow(
      /too few labelled questions to calibrate: 10/,
    );
  });
});
