import { createHash } from 'node:crypto';
import type { AnswerPolicy, ConfidenceModel } from '@answerbridge/answering';
import { profileFingerprint, type Embedder, type VectorStore } from '@answerbridge/core';
import type { FaqEntry } from '../faq-entry';
import type { Fusion, SearchMode } from '../fuse-candidates';
import { ingestKnowledgeBase } from '../ingest-knowledge-base';
import { KnowledgeSearcher, SEARCH_DEPTH } from '../knowledge-searcher';
import { decisionFor, decisionMetrics, type DecisionMetrics, type QueryDecision } from './decision-metrics';
import type { EvalQuery } from './eval-queries';
import { fitConfidenceModel } from './fit-confidence';
import { policyMetrics, type PolicyMetrics } from './policy-metrics';
import {
  outcomeOf,
  outOfScopeAuroc,
  retrievalMetrics,
  type QueryOutcome,
  type RetrievalMetrics,
} from './retrieval-metrics';

export interface EvaluationOptions {
  modes: SearchMode[];
  fusion: Fusion;
  /** The confidence model the bot runs: the answer policy is measured with it. */
  confidence: ConfidenceModel;
  /** Keyword-only search answers at or above this BM25 score (KEYWORD_FALLBACK_THRESHOLD) and never suggests. */
  keywordThreshold: number;
  /** When set, a confidence model is also fitted on these questions (cross-validated) for this precision. */
  calibrateFor?: number;
  depth?: number;
  /**
   * The bot's whole answer policy: when given, each query is also decided as the worker decides a message
   * opening a conversation (greetings and requests for a person included), per query and in sum.
   */
  policy?: AnswerPolicy;
  /** Drop the temporary knowledge base afterwards (otherwise kept, so a repeated evaluation reuses it). */
  dropAfter?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ModeEvaluation {
  mode: SearchMode;
  retrieval: RetrievalMetrics;
  /** What the bot's answer policy does with its confidence model on these questions. */
  policy: PolicyMetrics;
  auroc: number | null;
  /** A model fitted on these questions (with its held-out expectations), or why none could be. */
  calibration?: { model: ConfidenceModel; policy: PolicyMetrics } | { error: string };
  /** What the bot's decisions did (when the evaluation was given its policy). */
  decisions?: DecisionMetrics;
  outcomes: (QueryOutcome & { kind?: string; decision?: QueryDecision })[];
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

function calibrated(
  cases: { ranked: QueryOutcome['ranked']; expectedId: string | null; kind?: string }[],
  targetPrecision: number,
  mode: SearchMode,
): { model: ConfidenceModel; policy: PolicyMetrics } | { error: string } {
  try {
    const model = fitConfidenceModel(cases, {
      targetPrecision,
      fittedOn: `${cases.length} labelled questions, ${mode} search`,
    });
    return { model, policy: policyMetrics(model, cases) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Indexes the FAQ into a knowledge base of its own (named after the content and the model profile, so
 * a repeated evaluation reuses it) and measures every search mode on the labelled queries.
 */
export async function evaluateKnowledgeBase(
  store: VectorStore,
  embedder: Embedder,
  entries: FaqEntry[],
  queries: EvalQuery[],
  options: EvaluationOptions,
): Promise<Evaluation> {
  const fingerprint = profileFingerprint(embedder.profile);
  const knowledgeBase = `eval_${createHash('sha1').update(fingerprint).update(JSON.stringify(entries)).digest('hex').slice(0, 12)}`;
  const versions = await store.listVersions(knowledgeBase);
  if (!versions.some((v) => v.active && v.profile === fingerprint))
    await ingestKnowledgeBase(store, embedder, knowledgeBase, entries, { keepVersions: 1 });
  try {
    const modes = await evaluateModes(store, embedder, knowledgeBase, queries, options);
    return { knowledgeBase, entries: entries.length, queries: queries.length, profile: embedder.profile.name, modes };
  } finally {
    if (options.dropAfter)
      for (const v of await store.listVersions(knowledgeBase)) await store.dropVersion(v.collection);
  }
}

async function evaluateModes(
  store: VectorStore,
  embedder: Embedder,
  knowledgeBase: string,
  queries: EvalQuery[],
  options: EvaluationOptions,
): Promise<ModeEvaluation[]> {
  const vectors = options.modes.some((m) => m !== 'keyword')
    ? await embedder.embed(
        queries.map((q) => q.query),
        'query',
      )
    : [];
  const searcher = new KnowledgeSearcher(store, embedder, {
    mode: 'hybrid',
    fusion: options.fusion,
    depth: options.depth ?? SEARCH_DEPTH,
  });
  const total = queries.length * options.modes.length;
  let done = 0;
  const modes: ModeEvaluation[] = [];
  for (const mode of options.modes) {
    const outcomes = await mapLimit(queries, 8, async (q, i) => {
      const candidates = await searcher.searchWithVector(knowledgeBase, q.query, vectors[i] ?? null, mode);
      options.onProgress?.(++done, total);
      return {
        ...outcomeOf(q, candidates),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(options.policy ? { decision: decisionFor(q, candidates, options.policy, mode) } : {}),
      };
    });
    const cases = outcomes.map((o, i) => ({
      ranked: o.ranked,
      expectedId: o.expectedId,
      ...(queries[i]?.kind ? { kind: queries[i]?.kind } : {}),
    }));
    modes.push({
      mode,
      retrieval: retrievalMetrics(outcomes),
      policy: policyMetrics(
        mode === 'keyword' ? { keywordThreshold: options.keywordThreshold } : options.confidence,
        cases,
      ),
      auroc: outOfScopeAuroc(outcomes),
      ...(options.calibrateFor === undefined
        ? {}
        : {
            calibration:
              mode === 'keyword'
                ? {
                    error:
                      'keyword-only search decides on BM25 scores against KEYWORD_FALLBACK_THRESHOLD; there is no confidence model to fit',
                  }
                : calibrated(cases, options.calibrateFor, mode),
          }),
      ...(options.policy
        ? {
            decisions: decisionMetrics(
              outcomes.flatMap((o, i) =>
                o.decision && queries[i] ? [{ query: queries[i], decision: o.decision }] : [],
              ),
            ),
          }
        : {}),
      outcomes,
    });
  }
  return modes;
}
