import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
