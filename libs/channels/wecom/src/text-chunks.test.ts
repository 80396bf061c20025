import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitUtf8 } from './text-chunks';

describe('splitUtf8', () => {
  it('keeps short text whole', () => {
    expect(splitUtf8('你好')).toEqual(['你好']);
  });

  it('splits at line breaks when it can', () => {
    const text = `${'甲'.repeat(500)}\n${'乙'.repeat(500)}`;
    expect(splitUtf8(text, 2048)).toEqual(['甲'.repeat(500), '乙'.repeat(500)]);
  });

  it('never exceeds the byte limit nor splits a character, and loses nothing but break characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 8, max: 300 }), (text, limit) => {
        const chunks = splitUtf8(text, limit);
        for (const c of chunks) expect(Buffer.byteLength(c, 'utf8')).toBeLessThanOrEqual(limit);
        expect(chunks.join('').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
      }),
      { numRuns: 300 },
    );
  });
});
