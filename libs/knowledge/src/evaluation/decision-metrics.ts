import {
  decide,
  emptyMemory,
  type AnswerPolicy,
  type DecisionKind,
  type DecisionReason,
} from '@answerbridge/answering';
import type { Candidate, SearchMode } from '../fuse-candidates';
import type { EvalQuery } from './eval-queries';

/** What the bot did with one evaluation query, as the worker would decide it. */
export interface QueryDecision {
  kind: DecisionKind;
  reason: DecisionReason;
  /** The entry answered with, when it answered. */
  entryId: string | null;
  confidence: number | null;
  /** The entries offered in a "did you mean" list, when it offered one. */
  suggested: string[];
}

/**
 * The worker's own decision for a query met in a new conversation: the same `decide`, policy and search
 * mode (keyword-only search holds BM25 scores to the keyword threshold), so greetings, requests for a
 * person and the suggestion lists count as they do in a chat.
 */
export function decisionFor(
  query: EvalQuery,
  candidates: Candidate[],
  policy: AnswerPolicy,
  mode: SearchMode,
): QueryDecision {
  const d = decide(
    { kind: 'text', text: query.query },
    candidates,
    emptyMemory,
    policy,
    mode === 'keyword' ? 'keyword-only' : 'searched',
  );
  return {
    kind: d.kind,
    reason: d.reason,
    entryId: d.kind === 'answer' ? d.entryId : null,
    confidence: d.confidence,
    suggested: d.kind === 'suggest' ? d.suggestions.map((s) => s.entryId) : [],
  };
}

interface DecisionCounts {
  questions: number;
  answered: number;
  answeredRight: number;
  suggested: number;
  /** Lists that held the entry that answers the question. */
  suggestedRight: number;
  escalated: number;
  /** Greetings, thanks, unreadable: answered by the bot's own words. */
  other: number;
}

export interface DecisionMetrics extends DecisionCounts {
  /** Right direct answers over all direct answers (null when none). */
  precision: number | null;
  /** Of the questions the FAQ answers: answered directly, and right. */
  answeredRightShare: number;
  /** Of the questions the FAQ answers: answered right, or their entry among the suggestions offered. */
  selfService: number;
  /** Of the questions the FAQ does not answer (expected_id null): answered directly anyway. */
  unanswerableAnswered: number | null;
  byKind: Record<string, DecisionCounts>;
}

function count(items: { query: EvalQuery; decision: QueryDecision }[]): DecisionCounts {
  const c: DecisionCounts = {
    questions: items.length,
    answered: 0,
    answeredRight: 0,
    suggested: 0,
    suggestedRight: 0,
    escalated: 0,
    other: 0,
  };
  for (const { query, decision } of items) {
    const expected = query.expectedId;
    if (decision.kind === 'answer') {
      c.answered++;
      if (expected !== null && decision.entryId === expected) c.answeredRight++;
    } else if (decision.kind === 'suggest') {
      c.suggested++;
      if (expected !== null && decision.suggested.includes(expected)) c.suggestedRight++;
    } else if (decision.kind === 'escalate') c.escalated++;
    else c.other++;
  }
  return c;
}

/** The answer policy's result on labelled queries, from the decisions themselves. */
export function decisionMetrics(items: { query: EvalQuery; decision: QueryDecision }[]): DecisionMetrics {
  const all = count(items);
  const inScope = count(items.filter((i) => i.query.expectedId !== null));
  const outOfScope = count(items.filter((i) => i.query.expectedId === null));
  const kinds = new Map<string, { query: EvalQuery; decision: QueryDecision }[]>();
  for (const item of items) {
    const kind = item.query.kind ?? (item.query.expectedId === null ? 'out-of-scope' : 'in-scope');
    kinds.set(kind, [...(kinds.get(kind) ?? []), item]);
  }
  return {
    ...all,
    precision: all.answered ? all.answeredRight / all.answered : null,
    answeredRightShare: inScope.questions ? inScope.answeredRight / inScope.questions : 0,
    selfService: inScope.questions ? (inScope.answeredRight + inScope.suggestedRight) / inScope.questions : 0,
    unanswerableAnswered: outOfScope.questions ? outOfScope.answered / outOfScope.questions : null,
    byKind: Object.fromEntries([...kinds].map(([kind, list]) => [kind, count(list)])),
  };
}
