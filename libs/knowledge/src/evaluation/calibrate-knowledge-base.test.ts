import { thresholdModel } from '@answerbridge/answering';
import { describe, expect, it } from 'vitest';
import { parseConfidenceModel } from './calibrate-knowledge-base';

describe('parseConfidenceModel', () => {
  it('reads back a recorded model', () => {
    const model = { ...thresholdModel(0.9, 0.8), calibrated: true };
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
      'a standardization that does not fit its features',
      JSON.stringify({
        ...thresholdModel(0.9, 0.8),
        right: { mean: [0.9, 0.1], scale: [0.01], weights: [1], bias: 0 },
      }),
    ],
  ])('refuses %s (the bot keeps its default)', (_name, json) => {
    expect(parseConfidenceModel(json)).toBeNull();
  });
});
