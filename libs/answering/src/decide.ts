/** What the policy needs to know about a knowledge-base match. */
export interface ScoredCandidate {
  entryId: string;
  question: string;
  answer: string;
  score: number;
}

export interface AnswerPolicy {
  /** Answer verbatim when the best candidate scores at least this. */
  answerThreshold: number;
  /** Sent when nothing scores high enough: honest, never a guess. */
  fallbackMessage: string;
  /** Sent for messages we cannot read (images, files, voice without recognition text). */
  nonTextMessage: string;
}

export type DecisionKind = 'answer' | 'fallback' | 'unreadable' | 'ignore';

export interface Decision {
  kind: DecisionKind;
  /** The reply to send; null when nothing is sent. */
  reply: string | null;
  entryId: string | null;
  topScore: number | null;
  /** The scores that made the decision, best first (kept for the record and for later tuning). */
  scores: { entryId: string; score: number }[];
}

export interface Question {
  kind: 'text' | 'voice' | 'image' | 'event' | 'other';
  text: string;
}

/** Pure: the same inputs always give the same decision, and nothing here does I/O. */
export function decide(question: Question, candidates: ScoredCandidate[], policy: AnswerPolicy): Decision {
  const scores = candidates.map((c) => ({ entryId: c.entryId, score: c.score }));
  if (question.kind === 'event') return { kind: 'ignore', reply: null, entryId: null, topScore: null, scores };
  if (!question.text.trim()) return { kind: 'unreadable', reply: policy.nonTextMessage, entryId: null, topScore: null, scores };
  const best = candidates.reduce<ScoredCandidate | undefined>((a, c) => (a && a.score >= c.score ? a : c), undefined);
  if (best && best.score >= policy.answerThreshold) {
    return { kind: 'answer', reply: best.answer, entryId: best.entryId, topScore: best.score, scores };
  }
  return { kind: 'fallback', reply: policy.fallbackMessage, entryId: null, topScore: best?.score ?? null, scores };
}

/** Whether a message needs a knowledge-base search before `decide` (events and unreadable ones do not). */
export function needsSearch(question: Question): boolean {
  return question.kind !== 'event' && question.text.trim() !== '';
}
