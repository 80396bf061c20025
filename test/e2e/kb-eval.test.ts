import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Evaluation } from '@answerbridge/knowledge';
import { workspaceRoot } from '@answerbridge/testing';
import { runKb } from '../support/run-kb';

const kb = runKb;

/**
 * The quality promise on the project's Chinese sample set, measured by `kb eval` on the real stack:
 * at the shipped default thresholds (the calibrated ones) the bot is right when it answers, answers
 * most in-scope questions, and answers no out-of-scope question.
 */
describe('kb eval on the Chinese sample set', () => {
  const services = inject('services');
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-eval-'));
  const env = { MILVUS_ADDRESS: services.milvusAddress, EMBEDDING_BASE_URL: services.embeddingBaseUrl, LOG_LEVEL: 'error' };

  it('meets precision ≥ 0.95, coverage ≥ 0.70 and refuses every out-of-scope question', async () => {
    const errors = path.join(dir, 'errors.jsonl');
    const res = await kb(['eval', 'data/sample-faq.txt', 'data/sample-eval.jsonl', '--calibrate', '--json', '--errors', errors], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const evaluation = JSON.parse(res.stdout) as Evaluation;
    expect(evaluation).toMatchObject({ entries: 36, queries: 150 });
    const dense = evaluation.modes.find((m) => m.mode === 'dense');
    expect(dense?.retrieval).toMatchObject({ inScope: 110, outOfScope: 40 });
    expect(dense?.retrieval.top1).toBeGreaterThanOrEqual(0.9);
    expect(dense?.retrieval.top3).toBeGreaterThanOrEqual(0.97);
    // The defaults the worker uses:
    expect(dense?.configured.answerPrecision).toBeGreaterThanOrEqual(0.95);
    expect(dense?.configured.coverage).toBeGreaterThanOrEqual(0.7);
    expect(dense?.configured.outOfScopeRejection).toBe(1);
    // And what calibration proposes for the same targets:
    expect(dense?.calibration.answerThreshold).not.toBeNull();
    expect(dense?.calibration.atAnswer?.answerPrecision).toBeGreaterThanOrEqual(0.95);
    expect(dense?.calibration.atAnswer?.coverage).toBeGreaterThanOrEqual(0.7);
    expect(dense?.auroc).toBeGreaterThan(0.95);
    // Every mode is reported, and the per-query errors name what went wrong.
    expect(evaluation.modes.map((m) => m.mode)).toEqual(['dense', 'keyword', 'hybrid']);
    const lines = readFileSync(errors, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { mode: string; query: string; expectedId: string | null; top: unknown[] });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toHaveProperty('top');
  });

  it('refuses a query file that names entries the FAQ does not have', async () => {
    const res = await kb(['eval', 'data/sample-faq.txt', path.join(workspaceRoot, 'package.json')], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/package\.json:1: /);
  });
});
