import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFaqFile } from './load-faq-file';
import { bestPerEntry } from './knowledge-searcher';

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
});

describe('bestPerEntry', () => {
  it('keeps the best-scoring question of each entry, best entries first', () => {
    const hit = (entryId: string, text: string, score: number) => ({ entryId, text, answer: `A-${entryId}`, meta: { question: `Q-${entryId}` }, score });
    const out = bestPerEntry([hit('a', 'a1', 0.8), hit('b', 'b1', 0.85), hit('a', 'a2', 0.9)]);
    expect(out.map((c) => [c.entryId, c.matchedQuestion, c.score])).toEqual([
      ['a', 'a2', 0.9],
      ['b', 'b1', 0.85],
    ]);
    expect(out[0]?.question).toBe('Q-a');
  });
});
