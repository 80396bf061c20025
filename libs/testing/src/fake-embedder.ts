import type { EmbedInputKind, Embedder, ModelProfile } from '@answerbridge/core';

export const fakeProfile: ModelProfile = {
  name: 'fake',
  model: 'fake-bag-of-characters',
  dimension: 64,
  inputMarking: 'none',
  indexAs: 'query',
  sendDimensions: false,
  normalize: true,
  batchSize: 32,
  defaultAnswerThreshold: 0.8,
  defaultSuggestThreshold: 0.5,
};

/**
 * The Embedder port without a model: each character is hashed into one of 64 dimensions, so texts sharing
 * characters are close and the same text always gives the same vector. `fail` makes calls reject (an
 * embedder that is down); the texts asked for are kept in `calls`.
 */
export class FakeEmbedder implements Embedder {
  readonly calls: { texts: string[]; kind: EmbedInputKind }[] = [];
  fail: Error | null = null;

  constructor(readonly profile: ModelProfile = fakeProfile) {}

  async embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    this.calls.push({ texts, kind });
    if (this.fail) throw this.fail;
    return texts.map((text) => {
      const vector = new Array<number>(this.profile.dimension).fill(0);
      for (const char of text.toLowerCase().replace(/\s+/g, ''))
        vector[(char.codePointAt(0) ?? 0) % this.profile.dimension]! += 1;
      const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
      return vector.map((x) => x / norm);
    });
  }
}
