import {
  AnswerbridgeError,
  profileFingerprint,
  type Embedder,
  type Reranker,
  type SearchHit,
  type VectorStore,
} from '@answerbridge/core';
import { EVIDENCE_DEPTH } from '@answerbridge/answering';
import { fuseCandidates, type Candidate, type Fusion, type SearchMode } from './fuse-candidates';
import { chineseTwoCharacterWords } from './chinese-words';
import { uncoveredShare, weightedTermsOf } from './uncovered-terms';

export interface SearchOptions {
  mode: SearchMode;
  fusion: Fusion;
  /** Rows asked of each list before collapsing to entries; several questions of one entry can fill a list. */
  depth: number;
  /**
   * Optional second stage: a cross-encoder (Qwen3-Reranker on SGLang) rescores the top `depth`
   * candidates; its score then ranks them and is the confidence the thresholds apply to.
   */
  rerank?: { reranker: Reranker; depth: number };
  /** Times the embedder and Milvus calls (the worker feeds its stage histogram). */
  time?: <T>(stage: 'embed' | 'milvus', fn: () => Promise<T>) => Promise<T>;
}

/**
 * Rows asked of each list. An entry's prototype is scored from its questions' cosines in the list, and a
 * question the list did not reach is counted at the list's weakest cosine: 80 rows reach every question of
 * the entries that matter (bench/quality: the same top-1 as the exact prototype on both shipped sets; 40
 * rows lost 0.7–0.9 points).
 */
export const SEARCH_DEPTH = 80;

export const defaultSearchOptions: SearchOptions = {
  mode: 'hybrid',
  fusion: { method: 'rrf', k: 60 },
  depth: SEARCH_DEPTH,
};

export interface SearchResult {
  candidates: Candidate[];
  mode: SearchMode;
}

/** Finds the FAQ entries closest to a question in one knowledge base: dense, BM25, or both fused. */
export class KnowledgeSearcher {
  private readonly fingerprint: string;

  constructor(
    private readonly store: VectorStore,
    private readonly embedder: Embedder,
    private readonly options: SearchOptions = defaultSearchOptions,
  ) {
    this.fingerprint = profileFingerprint(embedder.profile);
    // Read once at start (~0.1 s), not by the first question asked.
    chineseTwoCharacterWords();
  }

  /**
   * Like `search`, but when the embedder fails (down, timing out, circuit open) it answers from BM25
   * alone and says so: the caller applies the stricter keyword threshold. Milvus failures still throw.
   */
  async searchOrDegrade(
    knowledgeBase: string,
    question: string,
    limit = 5,
  ): Promise<{ candidates: Candidate[]; degraded: boolean; keywordOnly: boolean; vector: number[] | null }> {
    if (this.options.mode === 'keyword')
      return {
        candidates: await this.search(knowledgeBase, question, limit),
        degraded: false,
        keywordOnly: true,
        vector: null,
      };
    let vector: number[] | null;
    try {
      vector = (await this.timed('embed', () => this.embedder.embed([question], 'query')))[0] ?? null;
    } catch (error) {
      // A refusal for good (an input it cannot embed) is not the embedder being down: no keyword fallback.
      if (error instanceof AnswerbridgeError && !error.retryable) throw error;
      const candidates = await this.searchWithVector(knowledgeBase, question, null, 'keyword');
      return { candidates: candidates.slice(0, limit), degraded: true, keywordOnly: true, vector: null };
    }
    return {
      candidates: (await this.searchWithVector(knowledgeBase, question, vector, this.options.mode)).slice(0, limit),
      degraded: false,
      keywordOnly: false,
      vector,
    };
  }

  async search(knowledgeBase: string, question: string, limit = 5): Promise<Candidate[]> {
    const vector =
      this.options.mode === 'keyword'
        ? null
        : ((await this.timed('embed', () => this.embedder.embed([question], 'query')))[0] ?? null);
    return (await this.searchWithVector(knowledgeBase, question, vector, this.options.mode)).slice(0, limit);
  }

  /** Several questions at once, with one embedding request for all of them (calibration, evaluation). */
  async searchMany(knowledgeBase: string, questions: string[], limit = 5): Promise<Candidate[][]> {
    const vectors =
      this.options.mode === 'keyword' ? [] : await this.timed('embed', () => this.embedder.embed(questions, 'query'));
    const results: Candidate[][] = [];
    for (const [i, question] of questions.entries())
      results.push(
        (await this.searchWithVector(knowledgeBase, question, vectors[i] ?? null, this.options.mode)).slice(0, limit),
      );
    return results;
  }

  private timed<T>(stage: 'embed' | 'milvus', fn: () => Promise<T>): Promise<T> {
    return this.options.time ? this.options.time(stage, fn) : fn();
  }

  /** The search with a query vector already computed (evaluation embeds all queries in batches). */
  async searchWithVector(
    knowledgeBase: string,
    question: string,
    vector: number[] | null,
    mode: SearchMode,
  ): Promise<Candidate[]> {
    const depth = this.options.depth;
    const [dense, keyword] = await this.timed('milvus', () =>
      Promise.all([
        mode !== 'keyword' && vector ? this.store.searchDense(knowledgeBase, this.fingerprint, vector, depth) : [],
        mode !== 'dense' ? this.store.searchKeywords(knowledgeBase, question, depth) : [],
      ]),
    );
    const fused = fuseCandidates(dense, keyword, mode, this.options.fusion);
    const candidates = this.options.rerank
      ? await rerankCandidates(this.options.rerank.reranker, question, fused, this.options.rerank.depth)
      : fused;
    return withUncoveredShares(question, candidates, [...dense, ...keyword]);
  }
}

/**
 * Says, for the candidates the answer policy reads, how much of the question their entry's texts never
 * mention (uncovered-terms.ts): the rows the search returned for the entry, its canonical question and answer.
 */
function withUncoveredShares(question: string, candidates: Candidate[], hits: readonly SearchHit[]): Candidate[] {
  const read = candidates.slice(0, EVIDENCE_DEPTH);
  const entries = new Set(read.map((c) => c.entryId));
  const texts = new Map<string, string[]>();
  for (const h of hits) {
    if (!entries.has(h.entryId)) continue;
    const seen = texts.get(h.entryId) ?? [];
    seen.push(h.text);
    texts.set(h.entryId, seen);
  }
  const asked = weightedTermsOf(question);
  return [
    ...read.map((c) => ({
      ...c,
      uncovered: uncoveredShare(asked, [c.question, c.matchedQuestion, c.answer, ...(texts.get(c.entryId) ?? [])]),
    })),
    ...candidates.slice(EVIDENCE_DEPTH),
  ];
}

/** Rescores the top candidates with a reranker; the rest are dropped (they were not reranked). */
export async function rerankCandidates(
  reranker: Reranker,
  question: string,
  candidates: Candidate[],
  depth: number,
): Promise<Candidate[]> {
  const top = candidates.slice(0, depth);
  // The entry's question and the start of its answer: a cross-encoder judges whether this answers the question.
  const scores = await reranker.rerank(
    question,
    top.map((c) => `${c.question}\n${c.answer.slice(0, 300)}`),
  );
  return top
    .map((c, i) => ({ ...c, score: scores[i] ?? 0, confidence: scores[i] ?? 0, rerank: scores[i] ?? 0 }))
    .sort((a, b) => b.score - a.score);
}
