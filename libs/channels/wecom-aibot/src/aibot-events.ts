import type { FeedbackVerdict, KeyValueStore } from '@answerbridge/core';

/** 准确 / 不准确 / 取消 (feedback_event.type 1, 2, 3). */
export type { FeedbackVerdict };

export interface AnswerFeedback {
  /** The feedback id we set on the stream: the inbound message id, which is the decision's `messageId`. */
  messageId: string;
  botId: string;
  verdict: FeedbackVerdict;
  /** What the person wrote and the reasons they ticked (only for `inaccurate`). */
  content?: string;
  reasons?: number[];
  at: number;
}

/** Feedback is kept as long as decisions are by default (90 days); a later verdict replaces an earlier one. */
export const FEEDBACK_TTL_MS = 90 * 86_400_000;

export const feedbackKey = (botId: string, messageId: string) => `aibot:${botId}:feedback:${messageId}`;

const verdicts: Record<number, FeedbackVerdict> = { 1: 'accurate', 2: 'inaccurate', 3: 'cancelled' };

/** Reads `event.feedback_event` (doc 101027); null when it is not one we can use. */
export function feedbackOf(botId: string, event: Record<string, unknown>, nowMs: number): AnswerFeedback | null {
  const body = event.feedback_event;
  if (typeof body !== 'object' || body === null) return null;
  const { id, type, content, inaccurate_reason_list: reasons } = body as Record<string, unknown>;
  const verdict = typeof type === 'number' ? verdicts[type] : undefined;
  if (typeof id !== 'string' || !id || id.length > 256 || !verdict) return null;
  return {
    messageId: id,
    botId,
    verdict,
    ...(typeof content === 'string' && content ? { content: content.slice(0, 2000) } : {}),
    ...(Array.isArray(reasons)
      ? { reasons: reasons.filter((r): r is number => typeof r === 'number').slice(0, 10) }
      : {}),
    at: nowMs,
  };
}

/** Records a verdict against the decision that made the answer (its messageId). */
export async function recordFeedback(store: KeyValueStore, feedback: AnswerFeedback): Promise<void> {
  await store.set(feedbackKey(feedback.botId, feedback.messageId), JSON.stringify(feedback), FEEDBACK_TTL_MS);
}

export async function readFeedback(
  store: KeyValueStore,
  botId: string,
  messageId: string,
): Promise<AnswerFeedback | null> {
  const text = await store.get(feedbackKey(botId, messageId));
  return text === null ? null : (JSON.parse(text) as AnswerFeedback);
}
