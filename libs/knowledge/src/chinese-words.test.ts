import { describe, expect, it } from 'vitest';
import { chineseTwoCharacterWords } from './chinese-words';

describe("jieba's two-character words", () => {
  it('holds the dictionary words of two characters, and nothing longer or shorter', () => {
    const words = chineseTwoCharacterWords();
    expect(words.size).toBeGreaterThan(100_000);
    for (const word of ['折现', '丧假', '密码', '附件', '几天']) expect(words.has(word)).toBe(true);
    // Pairs across two words, and words of other lengths (会议室, 请).
    for (const other of ['码想', '的怎', '会议室', '请']) expect(words.has(other)).toBe(false);
    expect([...words].every((w) => [...w].length === 2)).toBe(true);
  });

  it('is read once', () => {
    expect(chineseTwoCharacterWords()).toBe(chineseTwoCharacterWords());
  });
});
