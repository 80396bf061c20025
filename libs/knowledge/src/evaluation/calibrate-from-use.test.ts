import { describe, expect, it } from 'vitest';
import { thresholdModel, type ConfidenceModel } from '@answerbridge/answering';
import { keepsModelInUse } from './calibrate-from-use';
import type { PolicyMetrics } from './policy-metrics';

const model = (
  calibrated: boolean,
  expectedCoverage: number | null,
  targetPrecision = 0.97,
  expectedPrecision = 0.975,
): ConfidenceModel => ({
  ...thresholdModel(0.9, 0.8),
  calibrated,
  targetPrecision,
  expected:
    expectedCoverage === null
      ? null
      : {
          precision: expectedPrecision,
          low: 0.93,
          high: 0.99,
          coverage: expectedCoverage,
          unanswerableAnswered: 0.03,
          foldsMet: 9,
          folds: 10,
          queries: 200,
        },
});
const onQuestions = (answered: number, precision: number, coverage: number): PolicyMetrics => ({
  questions: 200,
  answered,
  precision,
  coverage,
  unanswerableAnswered: 0,
  suggested: 0,
  selfService: coverage,
  byKind: {},
});

describe('whether a model learned from use replaces the one in use', () => {
  it('keeps the model in use when it meets the target on the same questions and answers more of them', () => {
    expect(keepsModelInUse(model(true, 0.9), onQuestions(120, 0.98, 0.6), model(true, 0.07))).toBe(true);
  });

  it('replaces it when it answers fewer, or misses the target, or answers nothing', () => {
    expect(keepsModelInUse(model(true, 0.9), onQuestions(40, 0.99, 0.2), model(true, 0.5))).toBe(false);
    expect(keepsModelInUse(model(true, 0.9), onQuestions(120, 0.95, 0.6), model(true, 0.07))).toBe(false);
    expect(keepsModelInUse(model(true, 0.9), onQuestions(0, 0, 0), model(true, 0))).toBe(false);
  });

  it('holds the model in use to the new target, not to its own', () => {
    const inUse = model(true, 0.9, 0.9);
    expect(keepsModelInUse(inUse, onQuestions(120, 0.95, 0.6), model(true, 0.3, 0.97))).toBe(false);
    expect(keepsModelInUse(inUse, onQuestions(120, 0.95, 0.6), model(true, 0.3, 0.95))).toBe(true);
  });

  it('keeps a calibrated model in use when the new one misses its own target held out, whatever the questions say', () => {
    // The Banking77 replay: the shipped model at 89% on the hard residue, the new one expected 96.6% at 1.4%.
    expect(keepsModelInUse(model(true, 0.35), onQuestions(400, 0.894, 0.197), model(true, 0.014, 0.97, 0.966))).toBe(
      true,
    );
    expect(keepsModelInUse(model(true, 0.35), null, model(true, 0.5, 0.97, 0.95))).toBe(true);
    // Meeting it exactly is meeting it.
    expect(keepsModelInUse(model(true, 0.35), onQuestions(400, 0.894, 0.197), model(true, 0.5, 0.97, 0.97))).toBe(
      false,
    );
  });

  it('always replaces an uncalibrated stand-in, and anything when nothing was measured', () => {
    expect(keepsModelInUse(model(false, null), onQuestions(150, 1, 0.8), model(true, 0.1))).toBe(false);
    expect(keepsModelInUse(model(false, null), onQuestions(150, 1, 0.8), model(true, 0.1, 0.97, 0.9))).toBe(false);
    expect(keepsModelInUse(model(true, 0.9), null, model(true, 0.1))).toBe(false);
  });
});
