import type { Embedder } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import { loadPersonRequestPhrasings, personPrototypesFor } from './person-prototypes';

describe('personPrototypesFor', () => {
  const fakeEmbedder = (calls: string[][]) =>
    ({ embed: async (texts: string[]) => (calls.push(texts), texts.map((_, i) => [i, 1])) }) as unknown as Embedder;

  it('embeds the built-from requests and look-alikes once, with the measured settings of the profile', async () => {
    const calls: string[][] = [];
    const prototypesOf = personPrototypesFor(fakeEmbedder(calls), 'e5-small');
    const { requests, lookAlikes } = loadPersonRequestPhrasings();
    const [first, second] = await Promise.all([prototypesOf(), prototypesOf()]);
    expect(first?.requests).toBe(second?.requests);
    expect(calls).toHaveLength(1);
    expect(first?.requests).toHaveLength(requests.length);
    expect(first?.lookAlikes).toHaveLength(lookAlikes.length);
    expect(first).toMatchObject({ minSimilarity: 0.9, minLead: 0.05 });
  });

  it('holds a setting per language of the message, the embeddings shared', async () => {
    const calls: string[][] = [];
    const prototypesOf = personPrototypesFor(fakeEmbedder(calls), 'e5-minilm');
    const [zh, en, unsaid] = await Promise.all([prototypesOf('zh'), prototypesOf('en'), prototypesOf()]);
    expect(calls).toHaveLength(1);
    expect(zh).toMatchObject({ minSimilarity: 0.94, minLead: 0.05 });
    expect(en).toMatchObject({ minSimilarity: 0.78, minLead: 0.05 });
    expect(unsaid).toMatchObject({ minSimilarity: 0.94 });
    expect(en?.requests).toBe(zh?.requests);
  });

  it('gives a profile nobody measured no prototypes, and tries again after a failed embedding', async () => {
    expect(await personPrototypesFor(fakeEmbedder([]), 'qwen3-embedding-4b')()).toBeNull();
    let fail = true;
    const flaky = {
      embed: async (texts: string[]) => (fail ? Promise.reject(new Error('embedder down')) : texts.map(() => [1])),
    } as unknown as Embedder;
    const prototypesOf = personPrototypesFor(flaky, 'e5-small');
    await expect(prototypesOf()).rejects.toThrow('embedder down');
    fail = false;
    expect(await prototypesOf()).not.toBeNull();
  });
});
