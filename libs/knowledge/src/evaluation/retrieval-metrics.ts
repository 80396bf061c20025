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
    top: candidates.slice(0, 5).map((c) => ({ id: c.entryId, question: c.question, confidence: round(c.confidence), score: round(c.score) })),
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
  const share = (pred: (o: QueryOutcome) => boolean) => (inScope.length ? inScope.filter(pred).length / inScope.length : 0);
  return {
    inScope: inScope.length,
    outOfScope: outcomes.length - inScope.length,
    top1: share((o) => o.rank === 1),
    top3: share((o) => o.rank !== null && o.rank <= 3),
    top5: share((o) => o.rank !== null && o.rank <= 5),
    mrr: inScope.length ? inScope.reduce((s, o) => s + (o.rank ? 1 / o.rank : 0), 0) / inScope.length : 0,
  };
}

export interface ThresholdMetrics {
  threshold: number;
  /** Of the questions answered (confidence ≥ threshold), the share answered with the right entry. */
  answerPrecision: number;
  /** Share of in-scope questions answered (right or wrong). */
  coverage: number;
  /** Share of in-scope questions answered with the right entry. */
  correctCoverage: number;
  /** Share of out-of-scope questions not answered. */
  outOfScopeRejection: number | null;
  answered: number;
  wrongAnswers: number;
}

/** What the bot would do at one answer threshold: answered questions must be right, out-of-scope ones refused. */
export function atThreshold(outcomes: QueryOutcome[], threshold: number): ThresholdMetrics {
  const answered = outcomes.filter((o) => o.confidence >= threshold);
  const correct = answered.filter((o) => o.expectedId !== null && o.topId === o.expectedId);
  const inScope = outcomes.filter((o) => o.expectedId !== null);
  const oos = outcomes.filter((o) => o.expectedId === null);
  return {
    threshold,
    answerPrecision: answered.length ? correct.length / answered.length : 1,
    coverage: inScope.length ? answered.filter((o) => o.expectedId !== null).length / inScope.length : 0,
    correctCoverage: inScope.length ? correct.length / inScope.length : 0,
    outOfScopeRejection: oos.length ? oos.filter((o) => o.confidence < threshold).length / oos.length : null,
    answered: answered.length,
    wrongAnswers: answered.length - correct.length,
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
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]?.v === all[i]?.v) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]?.p === 1) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}

export interface Calibration {
  targetPrecision: number;
  /** Share of out-of-scope questions the threshold must refuse (when the set has any). */
  targetOutOfScopeRejection: number;
  /** Lowest threshold reaching both targets (so the most coverage); null if none does. */
  answerThreshold: number | null;
  atAnswer: ThresholdMetrics | null;
  /**
   * Lowest threshold above which the right entry is among the top 3 for at least `targetSuggest` of
   * the questions, so a "did you mean" list is worth showing; below it, escalate.
   */
  suggestThreshold: number | null;
}

export function calibrate(outcomes: QueryOutcome[], targetPrecision: number, targetOutOfScopeRejection = 1, targetSuggest = 0.8): Calibration {
  // Thresholds just above each observed confidence, and each confidence itself: the candidates that matter.
  const candidates = [...new Set(outcomes.flatMap((o) => [o.confidence, o.confidence + 1e-6]))].sort((a, b) => a - b);
  let answerThreshold: number | null = null;
  for (const t of candidates) {
    const m = atThreshold(outcomes, t);
    if (m.answered > 0 && m.answerPrecision >= targetPrecision && (m.outOfScopeRejection ?? 1) >= targetOutOfScopeRejection) {
      answerThreshold = t;
      break;
    }
  }
  let suggestThreshold: number | null = null;
  const limit = answerThreshold ?? Infinity;
  for (const t of candidates) {
    if (t >= limit) break;
    const zone = outcomes.filter((o) => o.confidence >= t && o.confidence < limit);
    if (!zone.length) continue;
    const useful = zone.filter((o) => o.rank !== null && o.rank <= 3).length / zone.length;
    if (useful >= targetSuggest) {
      suggestThreshold = t;
      break;
    }
  }
  return { targetPrecision, targetOutOfScopeRejection, answerThreshold, atAnswer: answerThreshold === null ? null : atThreshold(outcomes, answerThreshold), suggestThreshold };
}
