import { thresholdModel } from '@answerbridge/answering';
import { describe, expect, it } from 'vitest';
import { parseConfidenceModel } from './calibrate-knowledge-base';

describe('parseConfidenceModel', () => {
  it('reads back a recorded model', () => {
    const model = { ...thresholdModel(0.9, 0.8), calibrated: true };
    expect(parseConfidenceModel(JSON.stringify(model))).toEqual(model);
  });

  it('reads back a curved model: a weight per feature and per product of features', () => {
    const logistic = { mean: [0.9, 0.03], scale: [0.03, 0.02], weights: [2, 1, 0.5], bias: 0, products: [[0, 1]] };
    const model = { ...thresholdModel(0.9, 0.8), features: ['dense', 'margin'], right: logistic, inTop3: logistic };
    expect(parseConfidenceModel(JSON.stringify(model))).toEqual(model);
  });

  it.each([
    ['not JSON', '{'],
    ['another shape', JSON.stringify({ answerAt: 0.9 })],
    ['an unknown feature', JSON.stringify({ ...thresholdModel(0.9, 0.8), features: ['colour'] })],
    [
      'weights that do not fit its features',
      JSON.stringify({ ...thresholdModel(0.9, 0.8), features: ['dense', 'margin'] }),
    ],
    [
      'a product of a feature it does not read',
      JSON.stringify({
        ...thresholdModel(0.9, 0.8),
        right: { mean: [0.9], scale: [0.01], weights: [1, 1], bias: 0, products: [[0, 1]] },
      }),
    ],
  ])('refuses %s (the bot keeps its default)', (_name, json) => {
    expect(parseConfidenceModel(json)).toBeNull();
  });
});
