import { createHash } from 'node:crypto';
import { profileFingerprint, type Embedder } from '@answerbridge/embedding';
import type { MilvusVectorStore } from '@answerbridge/vector-store';
import type { FaqEntry } from '../faq-entry';
import type { Fusion, SearchMode } from '../fuse-candidates';
import { ingestKnowledgeBase } from '../ingest-knowledge-base';
import { KnowledgeSearcher } from '../knowledge-searcher';
import type { EvalQuery } from './eval-queries';
import {
  atThreshold,
  calibrate,
  outcomeOf,
  outOfScopeAuroc,
  retrievalMetrics,
  type Calibration,
  type QueryOutcome,
  type RetrievalMetrics,
  type ThresholdMetrics,
} from './retrieval-metrics';

export interface EvaluationOptions {
  modes: SearchMode[];
  fusion: Fusion;
  /** The configured answer threshold, reported as is. */
  answerThreshold: number;
  targetPrecision: number;
  /** Share of out-of-scope questions calibrated thresholds must refuse. @defaultValue 1 */
  targetOutOfScopeRejection?: number;
  depth?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ModeEvaluation {
  mode: SearchMode;
  retrieval: RetrievalMetrics;
  configured: ThresholdMetrics;
  auroc: number | null;
  calibration: Calibration;
  outcomes: QueryOutcome[];
}

export interface Evaluation {
  knowledgeBase: string;
  entries: number;
  queries: number;
  profile: string;
  modes: ModeEvaluation[];
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

/**
 * Indexes the FAQ into a knowledge base of its own (named after the content and the model profile, so
 * a repeated evaluation reuses it) and measures every search mode on the labelled queries.
 */
export async function evaluateKnowledgeBase(
  store: MilvusVectorStore,
  embedder: Embedder,
  entries: FaqEntry[],
  queries: EvalQuery[],
  options: EvaluationOptions,
): Promise<Evaluation> {
  const fingerprint = profileFingerprint(embedder.profile);
  const knowledgeBase = `eval_${createHash('sha1').update(fingerprint).update(JSON.stringify(entries)).digest('hex').slice(0, 12)}`;
  const versions = await store.listVersions(knowledgeBase);
  if (!versions.some((v) => v.active && v.profile === fingerprint)) await ingestKnowledgeBase(store, embedder, knowledgeBase, entries, { keepVersions: 1 });

  const vectors = options.modes.some((m) => m !== 'keyword') ? await embedder.embed(queries.map((q) => q.query), 'query') : [];
  const searcher = new KnowledgeSearcher(store, embedder, { mode: 'hybrid', fusion: options.fusion, depth: options.depth ?? 40 });
  const total = queries.length * options.modes.length;
  let done = 0;
  const modes: ModeEvaluation[] = [];
  for (const mode of options.modes) {
    const outcomes = await mapLimit(queries, 8, async (q, i) => {
      const candidates = await searcher.searchWithVector(knowledgeBase, q.query, vectors[i] ?? null, mode);
      options.onProgress?.(++done, total);
      return outcomeOf(q, candidates);
    });
    modes.push({
      mode,
      retrieval: retrievalMetrics(outcomes),
      configured: atThreshold(outcomes, options.answerThreshold),
      auroc: outOfScopeAuroc(outcomes),
      calibration: calibrate(outcomes, options.targetPrecision, options.targetOutOfScopeRejection ?? 1),
      outcomes,
    });
  }
  return { knowledgeBase, entries: entries.length, queries: queries.length, profile: embedder.profile.name, modes };
}
