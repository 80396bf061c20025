import type { Decision } from '@answerbridge/answering';
import type { InboundMessage } from '@answerbridge/core';
import type { FaqReview } from '@answerbridge/knowledge';
import type { Logger, Metrics } from '@answerbridge/observability';

/** Where what the bot learns from use goes: the review queue of the bot's knowledge base. */
export type PhrasingLearner = Pick<FaqReview, 'proposePhrasing'>;

/**
 * When the asker picked an entry from the list offered for their question, their own words are proposed
 * as a similar question of that entry; an editor approves them (FaqReview), and then the next asker who
 * words it that way gets the answer directly. Learning is a side effect: when it fails the answer still
 * goes out, and the failure is logged and counted.
 */
export async function learnFromDecision(
  learner: PhrasingLearner | undefined,
  message: InboundMessage,
  knowledgeBase: string,
  decision: Decision,
  observe: { logger: Logger; metrics: Metrics },
): Promise<void> {
  if (!learner || !decision.learned) return;
  try {
    const { outcome } = await learner.proposePhrasing({
      knowledgeBase,
      botId: message.botId,
      conversationId: message.conversationId,
      entryId: decision.learned.entryId,
      question: decision.learned.question,
      answer: decision.reply ?? '',
      source: 'picked-suggestion',
      // Not the asker's id: an approved phrasing is kept for good, and it must not name who asked.
      savedBy: 'asker',
    });
    observe.metrics.learnedPhrasings.inc({ outcome });
    observe.logger.info(
      { event: 'phrasing_learned', outcome, entryId: decision.learned.entryId },
      'learned from a pick',
    );
  } catch (err) {
    observe.metrics.learnedPhrasings.inc({ outcome: 'failed' });
    observe.logger.warn(
      { err, messageId: message.id },
      "could not propose the asker's wording for review; answered anyway",
    );
  }
}
