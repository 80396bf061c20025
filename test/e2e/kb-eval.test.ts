import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Evaluation } from '@answerbridge/knowledge';
import { workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
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
    expect(expected?.folds).toBe(10);
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

  it('--bot evaluates what that bot runs: its search mode and policy, every query decided as in a chat, per query, leaving no index behind', async () => {
    const bots = path.join(dir, 'bots.json');
    writeFileSync(
      bots,
      JSON.stringify({
        bots: [
          {
            id: 'evalbot',
            channel: 'wecom',
            corpId: 'wwevalbot000000001',
            agentId: 1000002,
            token: 'token-evalbot',
            encodingAesKey: 'tu2XIcfK7IWlRvTeZwKxGXsf7ChwL/NkQ2h4Y7JSvbk',
            secret: 'secret-evalbot',
            knowledgeBase: 'evalbot_kb',
            language: 'zh',
          },
        ],
      }),
    );
    const queries = path.join(dir, 'chat-queries.jsonl');
    const lines = [
      { query: '年假有多少天', expected_id: 'annual-leave', kind: 'in-scope' },
      { query: '密码想换一个新的怎么操作', expected_id: 'password-change', kind: 'in-scope' },
      { query: '我要转人工', expected_id: null, kind: 'person-request' },
      { query: 'Can I talk to a real person?', expected_id: null, kind: 'person-request' },
      { query: '你好', expected_id: null, kind: 'greeting' },
      { query: '今天股票涨了吗', expected_id: null, kind: 'out-of-scope' },
    ];
    writeFileSync(queries, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const perQuery = path.join(dir, 'per-query.jsonl');
    const res = await kb(
      ['eval', 'data/sample-faq.txt', queries, '--bot', 'evalbot', '--json', '--per-query', perQuery],
      { ...env, BOTS_FILE: bots },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const evaluation = JSON.parse(res.stdout) as Evaluation;
    // The bot's own search mode alone (dense for a Chinese bot), decided with its policy.
    expect(evaluation.modes.map((m) => m.mode)).toEqual(['dense']);
    const decisions = evaluation.modes[0]?.decisions;
    expect(decisions).toMatchObject({ questions: 6, other: 1, selfService: 1 });
    expect(decisions?.answered).toBe(decisions?.answeredRight);
    expect(decisions?.byKind['person-request']).toMatchObject({ questions: 2, escalated: 2, answered: 0 });
    expect(decisions?.byKind['greeting']).toMatchObject({ other: 1 });
    expect(decisions?.unanswerableAnswered).toBe(0);
    const rows = readFileSync(perQuery, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { query: string; kind?: string; decision: { kind: string; reason: string } });
    expect(rows.map((r) => r.query)).toEqual(lines.map((l) => l.query));
    expect(rows.find((r) => r.query === '我要转人工')?.decision).toMatchObject({
      kind: 'escalate',
      reason: 'asked-for-human',
    });
    expect(rows.find((r) => r.query === '你好')?.decision.kind).toBe('greeting');
    // The temporary index is gone.
    const store = new MilvusVectorStore({ address: services.milvusAddress });
    try {
      await store.ready();
      expect(await store.listVersions(evaluation.knowledgeBase)).toEqual([]);
    } finally {
      await store.close();
    }
    // A bot that does not exist, or a language that contradicts the bot's, is a usage error that says so.
    const unknown = await kb(['eval', 'data/sample-faq.txt', queries, '--bot', 'nobot'], { ...env, BOTS_FILE: bots });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no bot "nobot" in BOTS_FILE (bots: evalbot)');
    const contradicts = await kb(['eval', 'data/sample-faq.txt', queries, '--bot', 'evalbot', '--language', 'en'], {
      ...env,
      BOTS_FILE: bots,
    });
    expect(contradicts.code).toBe(2);
  });

  it("reads the language of a FAQ without a bot or --language, and decides with that language's settings", async () => {
    const faq = path.join(dir, 'english-faq.jsonl');
    const english = [
      ['leave', 'How do I request annual leave?', 'Submit it in the HR portal under Leave.'],
      ['vpn', 'The VPN will not connect, what should I do?', 'Restart the client and sign in again.'],
      ['payslip', 'Where can I find my payslip?', 'Payslips are in the HR portal under Pay.'],
      ['laptop', 'How do I get a new laptop?', 'Open an IT ticket of the kind Hardware.'],
    ];
    writeFileSync(
      faq,
      english.map(([id, question, answer]) => JSON.stringify({ id, question, answer, similar: [] })).join('\n'),
    );
    const queries = path.join(dir, 'english-queries.jsonl');
    writeFileSync(
      queries,
      [
        { query: 'I want to book some vacation days', expected_id: 'leave' },
        { query: 'my vpn connection keeps failing', expected_id: 'vpn' },
        { query: 'what is the capital of France', expected_id: null },
      ]
        .map((q) => JSON.stringify(q))
        .join('\n'),
    );
    type Run = Evaluation & { language: string; confidence: { fittedOn: string } };
    const read = async (args: string[]) => {
      const res = await kb(['eval', faq, queries, '--json', ...args], env);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      return JSON.parse(res.stdout) as Run;
    };
    const detected = await read([]);
    expect(detected.language).toBe('en');
    // The English model shipped for the profile, not the Chinese one.
    expect(detected.confidence.fittedOn).toMatch(/Banking77/);
    expect(detected.modes.find((m) => m.mode === 'dense')?.retrieval.top1).toBe(1);
    // The Chinese sample still reads as Chinese; --language still decides when given.
    expect((await read(['--language', 'zh'])).confidence.fittedOn).toMatch(/Chinese/);
    const sample = await kb(
      ['eval', 'data/sample-faq.txt', 'data/sample-eval.jsonl', '--json', '--mode', 'dense'],
      env,
    );
    expect((JSON.parse(sample.stdout) as Run).language).toBe('zh');
  });

  it('refuses a query file that names entries the FAQ does not have', async () => {
    const res = await kb(['eval', 'data/sample-faq.txt', path.join(workspaceRoot, 'package.json')], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/package\.json:1: /);
  });
});
