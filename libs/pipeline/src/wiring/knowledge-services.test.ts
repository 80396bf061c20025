import { resolveProfile } from '@answerbridge/embedding';
import { describe, expect, it } from 'vitest';
import { confidenceModelFor, keywordThresholdFor } from './knowledge-services';

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
