import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEvalQueries } from './evaluation/eval-queries';
import { loadFaqFile } from './load-faq-file';

describe('the shipped sample FAQ', () => {
  it('parses into at least 30 entries, each with similar questions and a category', () => {
    const entries = loadFaqFile(path.resolve(import.meta.dirname, '../../../data/sample-faq.txt'));
    expect(entries.length).toBeGreaterThanOrEqual(30);
    for (const e of entries) {
      expect(e.similar.length).toBeGreaterThan(0);
      expect(e.category).toBeTruthy();
    }
    expect(entries.some((e) => e.answer.includes('修改密码'))).toBe(true);
  });

  it('has labelled question sets that name only its entries, with no question twice across them', () => {
    const data = (file: string) => path.resolve(import.meta.dirname, '../../../data', file);
    const ids = new Set(loadFaqFile(data('sample-faq.txt')).map((e) => e.id));
    const sets = ['sample-eval.jsonl', 'sample-near-miss.jsonl', 'sample-help-desk.jsonl'].map((f) =>
      loadEvalQueries(data(f), ids),
    );
    const questions = sets.flat().map((q) => q.query);
    expect(new Set(questions).size).toBe(questions.length);
    // The help-desk set: questions the FAQ answers as people type them, near misses and out-of-scope ones.
    const helpDesk = sets[2] ?? [];
    const kinds = new Set(helpDesk.map((q) => q.kind));
    for (const kind of ['colloquial', 'typo', 'mixed', 'near-miss', 'out-of-scope']) expect(kinds).toContain(kind);
    expect(
      helpDesk.filter((q) => q.kind === 'near-miss' || q.kind === 'out-of-scope').every((q) => q.expectedId === null),
    ).toBe(true);
  });
});
