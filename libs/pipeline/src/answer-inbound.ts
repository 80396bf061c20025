import { decide, needsSearch, type AnswerPolicy, type Decision } from '@answerbridge/answering';
import { replyIdFor, type InboundMessage } from '@answerbridge/core';
import type { Candidate, KnowledgeSearcher } from '@answerbridge/knowledge';
import type { Logger, Metrics } from '@answerbridge/observability';
import type { JobProducer } from '@answerbridge/queue';

export interface AnswerInboundDeps {
  searcher: KnowledgeSearcher;
  producer: JobProducer;
  policy: AnswerPolicy;
  /** Which knowledge base answers for a bot. */
  knowledgeBaseFor: (botId: string) => string | undefined;
  logger: Logger;
  metrics: Metrics;
  /** On the last attempt a failing search degrades to the fallback reply instead of silence. */
  lastAttempt?: boolean;
}

/**
 * The worker's job for one inbound message: search, decide, and queue the reply. The reply's id
 * derives from the message's, so running this twice queues one reply.
 */
export async function answerInbound(deps: AnswerInboundDeps, message: InboundMessage): Promise<Decision> {
  const knowledgeBase = deps.knowledgeBaseFor(message.botId);
  if (!knowledgeBase) throw new Error(`no knowledge base configured for bot ${message.botId}`);
  const question = { kind: message.kind, text: message.text };
  let candidates: Candidate[] = [];
  if (needsSearch(question)) {
    try {
      candidates = await deps.metrics.time('search', () => deps.searcher.search(knowledgeBase, message.text));
    } catch (error) {
      if (!deps.lastAttempt) throw error;
      deps.logger.error({ err: error, messageId: message.id }, 'search failed on the last attempt; sending the fallback');
    }
  }
  const decision = decide(question, candidates, deps.policy);
  deps.metrics.decisions.inc({ kind: decision.kind });
  deps.logger.info(
    {
      event: 'decision',
      messageId: message.id,
      conversationId: message.conversationId,
      kind: decision.kind,
      entryId: decision.entryId,
      topScore: decision.topScore,
      scores: decision.scores.slice(0, 5),
      threshold: deps.policy.answerThreshold,
    },
    'decided',
  );
  if (decision.reply !== null) {
    const id = replyIdFor(message.id);
    await deps.producer.enqueue(
      'outbound.send.v1',
      { id, botId: message.botId, inReplyTo: message.id, target: message.replyTarget, text: decision.reply },
      { dedupeId: id },
    );
  }
  deps.metrics.stageSeconds.observe({ stage: 'inbound_to_reply_queued', outcome: decision.kind }, (Date.now() - message.receivedAt) / 1000);
  return decision;
}
