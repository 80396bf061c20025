import { EVIDENCE_DEPTH, type RankedMatch } from '@answerbridge/answering';
import type { Candidate } from '../fuse-candidates';
import type { EvalQuery } from './eval-queries';

/** One query's outcome: where the right entry ranked and how confident the top candidate was. */
export interface QueryOutcome {
  query: string;
  expectedId: string | null;
  /** 1-based rank of the expected entry among the candidates; null if absent (or out of scope). */
  rank: number | null;
  topId: string | null;
  topQuestion: string | null;
  /** Confidence of the top candidate (what thresholds compare against). */
  confidence: number;
  /** Candidate ids, best first (top 5), for the error file. */
  top: { id: string; question: string; confidence: number; score: number }[];
  /** What the confidence model reads of the list (the policy sees the same first candidates). */
  ranked: RankedMatch[];
}

export function outcomeOf(query: EvalQuery, candidates: Candidate[]): QueryOutcome {
  const index = query.expectedId === null ? -1 : candidates.findIndex((c) => c.entryId === query.expectedId);
  const top = candidates[0];
  return {
    query: query.query,
    expectedId: query.expectedId,
    rank: index === -1 ? null : index + 1,
    topId: top?.entryId ?? null,
    topQuestion: top?.question ?? null,
    confidence: top?.confidence ?? 0,
    top: candidates
      .slice(0, 5)
      .map((c) => ({ id: c.entryId, question: c.question, confidence: round(c.confidence), score: round(c.score) })),
    ranked: candidates.slice(0, EVIDENCE_DEPTH).map((c) => ({
      entryId: c.entryId,
      dense: c.dense,
      keyword: c.keyword,
      phrasings: c.phrasings,
      ...(c.rerank === undefined ? {} : { rerank: c.rerank }),
      ...(c.uncovered === undefined ? {} : { uncovered: c.uncovered }),
    })),
  };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export interface RetrievalMetrics {
  inScope: number;
  outOfScope: number;
  top1: number;
  top3: number;
  top5: number;
  mrr: number;
}

export function retrievalMetrics(outcomes: QueryOutcome[]): RetrievalMetrics {
  const inScope = outcomes.filter((o) => o.expectedId !== null);
  const share = (pred: (o: QueryOutcome) => boolean) =>
    inScope.length ? inScope.filter(pred).length / inScope.length : 0;
  return {
    inScope: inScope.length,
    outOfScope: outcomes.length - inScope.length,
    top1: share((o) => o.rank === 1),
    top3: share((o) => o.rank !== null && o.rank <= 3),
    top5: share((o) => o.rank !== null && o.rank <= 5),
    mrr: inScope.length ? inScope.reduce((s, o) => s + (o.rank ? 1 / o.rank : 0), 0) / inScope.length : 0,
  };
}

/**
 * Area under the ROC curve of the top confidence as a detector of "in scope and answerable": the
 * chance that a random in-scope question scores above a random out-of-scope one (ties count half).
 */
export function outOfScopeAuroc(outcomes: QueryOutcome[]): number | null {
  const pos = outcomes.filter((o) => o.expectedId !== null).map((o) => o.confidence);
  const neg = outcomes.filter((o) => o.expectedId === null).map((o) => o.confidence);
  if (!pos.length || !neg.length) return null;
  const all = [...pos.map((v) => ({ v, p: 1 })), ...neg.map((v) => ({ v, p: 0 }))].sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]?.v === all[i]?.v) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]?.p === 1) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}
