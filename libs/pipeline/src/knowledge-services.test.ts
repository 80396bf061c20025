import { loadConfig } from '@answerbridge/config';
import { describe, expect, it } from 'vitest';
import { createKnowledgeServices } from './knowledge-services';

describe('createKnowledgeServices: what BM25 alone may answer', () => {
  it('holds each language to its measured keyword threshold (English never answers from BM25 alone), unless one is set', async () => {
    const measured = createKnowledgeServices(loadConfig({}, {}));
    expect(measured.policyFor('zh').keywordFallbackThreshold).toBe(16);
    expect(measured.policyFor('en').keywordFallbackThreshold).toBe(Number.POSITIVE_INFINITY);
    const chosen = createKnowledgeServices(loadConfig({ KEYWORD_FALLBACK_THRESHOLD: '12' }, {}));
    expect(chosen.policyFor('en').keywordFallbackThreshold).toBe(12);
    await Promise.all([measured.store.close(), chosen.store.close()]);
  });

  it('decides with the model shipped for the profile and language, and with a cosine stand-in once ANSWER_THRESHOLD is set', async () => {
    const shipped = createKnowledgeServices(loadConfig({}, {}));
    expect(shipped.policyFor('zh').confidence).toMatchObject({ calibrated: true });
    const explicit = createKnowledgeServices(loadConfig({ ANSWER_THRESHOLD: '0.95' }, {}));
    expect(explicit.policyFor('zh').confidence).toMatchObject({ calibrated: false, features: ['dense'] });
    await Promise.all([shipped.store.close(), explicit.store.close()]);
  });
});
