import { assess, verdictOf, type ConfidenceModel } from '@answerbridge/answering';
import type { LabelledMatch } from './fit-confidence';

/** A labelled question with what the search ranked for it; `kind` groups the breakdown (near-miss, out-of-scope…). */
export interface PolicyCase extends LabelledMatch {
  kind?: string;
}

export interface PolicyMetrics {
  questions: number;
  /** Direct answers given, and the share of them with the right entry. */
  answered: number;
  precision: number;
  /** Share of in-scope questions answered directly (right or wrong). */
  coverage: number;
  /** Share of questions the FAQ does not answer (out of scope, near misses) answered anyway. */
  unanswerableAnswered: number | null;
  /** "Did you mean" lists offered. */
  suggested: number;
  /** Share of in-scope questions served without a person: answered right, or the right entry among the suggestions. */
  selfService: number;
  /** The same figures per `kind`, when the questions carry one. */
  byKind: Record<
    string,
    { questions: number; answered: number; answeredRight: number; suggested: number; escalated: number }
  >;
}

/**
 * What decides: a confidence model, or — in keyword-only search, where the candidates carry BM25 scores and no
 * cosines — the keyword threshold (answer at or above it, otherwise hand over; no suggestions), as the worker does.
 */
export type EvaluatedPolicy = ConfidenceModel | { keywordThreshold: number };

function verdict(policy: EvaluatedPolicy, ranked: PolicyCase['ranked']): 'answer' | 'suggest' | 'escalate' {
  if ('keywordThreshold' in policy) return (ranked[0]?.keyword ?? 0) >= policy.keywordThreshold ? 'answer' : 'escalate';
  const a = assess(ranked, policy);
  return a ? verdictOf(a, policy) : 'escalate';
}

/** What the answer policy does on labelled questions: answer, suggest, or hand over. */
export function policyMetrics(policy: EvaluatedPolicy, cases: PolicyCase[]): PolicyMetrics {
  let answered = 0;
  let right = 0;
  let inScopeAnswered = 0;
  let unanswerableAnswered = 0;
  let suggested = 0;
  let selfServed = 0;
  const byKind: PolicyMetrics['byKind'] = {};
  for (const c of cases) {
    const v = verdict(policy, c.ranked);
    const answer = v === 'answer';
    const suggest = v === 'suggest';
    const isRight = c.expectedId !== null && c.ranked[0]?.entryId === c.expectedId;
    if (answer) {
      answered++;
      if (isRight) right++;
      if (c.expectedId !== null) inScopeAnswered++;
      else unanswerableAnswered++;
    }
    if (suggest) suggested++;
    if (
      c.expectedId !== null &&
      ((answer && isRight) || (suggest && c.ranked.slice(0, 3).some((r) => r.entryId === c.expectedId)))
    )
      selfServed++;
    const kind = (byKind[c.kind ?? (c.expectedId === null ? 'out-of-scope' : 'in-scope')] ??= {
      questions: 0,
      answered: 0,
      answeredRight: 0,
      suggested: 0,
      escalated: 0,
    });
    kind.questions++;
    if (answer) kind.answered++;
    if (answer && isRight) kind.answeredRight++;
    if (suggest) kind.suggested++;
    if (!answer && !suggest) kind.escalated++;
  }
  const inScope = cases.filter((c) => c.expectedId !== null).length;
  const unanswerable = cases.length - inScope;
  return {
    questions: cases.length,
    answered,
    precision: answered ? right / answered : 1,
    coverage: inScope ? inScopeAnswered / inScope : 0,
    unanswerableAnswered: unanswerable ? unanswerableAnswered / unanswerable : null,
    suggested,
    selfService: inScope ? selfServed / inScope : 0,
    byKind,
  };
}
