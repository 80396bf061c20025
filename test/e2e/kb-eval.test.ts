import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Evaluation } from '@answerbridge/knowledge';
import { workspaceRoot } from '@answerbridge/testing';
import { runKb } from '../support/run-kb';

const kb = runKb;

/**
 * The quality promise on the project's Chinese sample set, measured by `kb eval` on the real stack: with
 * the shipped confidence model the bot is right when it answers directly, answers no question the FAQ
 * does not cover, and serves nearly every in-scope question itself (a right answer, or the right entry
 * among its suggestions).
 */
describe('kb eval on the Chinese sample set', () => {
  const services = inject('services');
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-eval-'));
  const env = {
    MILVUS_ADDRESS: services.milvusAddress,
    EMBEDDING_BASE_URL: services.embeddingBaseUrl,
    LOG_LEVEL: 'error',
  };

  it('answers with precision ≥ 0.97, answers no out-of-scope question, self-serves ≥ 0.9, and calibrates with held-out figures', async () => {
    const errors = path.join(dir, 'errors.jsonl');
    const res = await kb(
      ['eval', 'data/sample-faq.txt', 'data/sample-eval.jsonl', '--calibrate', '--json', '--errors', errors],
      env,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const evaluation = JSON.parse(res.stdout) as Evaluation;
    expect(evaluation).toMatchObject({ entries: 36, queries: 150 });
    const dense = evaluation.modes.find((m) => m.mode === 'dense');
    expect(dense?.retrieval).toMatchObject({ inScope: 110, outOfScope: 40 });
    expect(dense?.retrieval.top1).toBeGreaterThanOrEqual(0.9);
    expect(dense?.retrieval.top3).toBeGreaterThanOrEqual(0.97);
    // The policy the worker runs, with the shipped confidence model:
    expect(dense?.policy.answered).toBeGreaterThan(0);
    expect(dense?.policy.precision).toBeGreaterThanOrEqual(0.97);
    expect(dense?.policy.unanswerableAnswered).toBe(0);
    expect(dense?.policy.selfService).toBeGreaterThanOrEqual(0.9);
    // And a model fitted on these questions, with what held-out folds say of it:
    const calibration = dense?.calibration;
    if (!calibration || !('model' in calibration)) throw new Error(`no calibration: ${JSON.stringify(calibration)}`);
    const expected = calibration.model.expected;
    expect(calibration.model).toMatchObject({ calibrated: true, targetPrecision: 0.97 });
    expect(expected?.folds).toBe(5);
    expect(expected?.low).toBeLessThanOrEqual(expected?.precision ?? 0);
    expect(expected?.high).toBeGreaterThanOrEqual(expected?.precision ?? 1);
    expect(dense?.auroc).toBeGreaterThan(0.95);
    // Every mode is reported, and the per-query errors name what went wrong.
    expect(evaluation.modes.map((m) => m.mode)).toEqual(['dense', 'keyword', 'hybrid']);
    const lines = readFileSync(errors, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { mode: string; query: string; expectedId: string | null; top: unknown[] });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toHaveProperty('top');
  });

  it('refuses a query file that names entries the FAQ does not have', async () => {
    const res = await kb(['eval', 'data/sample-faq.txt', path.join(workspaceRoot, 'package.json')], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/package\.json:1: /);
  });
});
