import type { AnswerFeedbackRecord, DecisionRecord } from '@answerbridge/core';

/** Why a question counts as one the bot did not answer well. */
export type UnansweredWhy = 'escalated' | 'not-picked' | 'down-voted';

export interface UnansweredQuestion {
  question: string;
  why: UnansweredWhy;
  at: number;
  conversationId: string;
  messageId: string;
  /** The entry the bot answered with, for a down-voted answer. */
  entryId: string | null;
}

/** Escalations because the bot found nothing good enough: not a request for a person, a greeting or an outage. */
const ESCALATED_FOR_WANT_OF_AN_ANSWER = new Set(['below-suggest-threshold', 'no-candidates']);

/**
 * The questions the bot did not answer well, from its decisions: handed over because nothing in the FAQ was close
 * enough; offered a "您是不是想问" list from which the asker picked nothing; answered, and then told 没用 in the chat
 * or marked 不准确 where the channel asks (`inaccurate`: the message ids whose last verdict was that). These are
 * what the FAQ lacks. Decisions of one bot, in any order.
 */
export function unansweredQuestions(
  decisions: readonly DecisionRecord[],
  inaccurate: ReadonlySet<string> = new Set(),
): UnansweredQuestion[] {
  const byConversation = new Map<string, DecisionRecord[]>();
  for (const d of [...decisions].sort((a, b) => a.at - b.at))
    byConversation.set(d.conversationId, [...(byConversation.get(d.conversationId) ?? []), d]);
  const found: UnansweredQuestion[] = [];
  for (const turns of byConversation.values()) {
    turns.forEach((d, i) => {
      const next = turns[i + 1];
      const of = (why: UnansweredWhy): UnansweredQuestion => ({
        question: d.question.trim(),
        why,
        at: d.at,
        conversationId: d.conversationId,
        messageId: d.messageId,
        entryId: why === 'down-voted' ? d.entryId : null,
      });
      if (!d.question.trim()) return;
      if (d.kind === 'escalate' && ESCALATED_FOR_WANT_OF_AN_ANSWER.has(d.reason)) found.push(of('escalated'));
      else if (d.kind === 'suggest' && next?.reason !== 'picked-suggestion') found.push(of('not-picked'));
      else if (d.kind === 'answer' && (next?.reason === 'answer-not-helpful' || inaccurate.has(d.messageId)))
        found.push(of('down-voted'));
    });
  }
  return found.sort((a, b) => b.at - a.at);
}

/** The message ids whose last verdict is 不准确 (feedback oldest first: a later verdict replaces an earlier one). */
export function inaccurateAnswers(feedback: readonly AnswerFeedbackRecord[]): Set<string> {
  const last = new Map<string, AnswerFeedbackRecord['verdict']>();
  for (const f of feedback) last.set(f.messageId, f.verdict);
  return new Set([...last].filter(([, verdict]) => verdict === 'inaccurate').map(([messageId]) => messageId));
}
