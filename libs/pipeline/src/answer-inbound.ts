import { emptyMemory, type ConversationMemory, type Decision } from '@answerbridge/answering';
import {
  AnswerbridgeError,
  replyIdFor,
  type ChannelHandover,
  type ConversationStateStore,
  type DecisionLog,
  type InboundMessage,
  type JobEnqueuer,
  type RecentTurns,
} from '@answerbridge/core';
import type { EscalationService } from '@answerbridge/escalation';
import { carrierOf, inSpan, type Metrics, type Span } from '@answerbridge/observability';
import { decideQuestion, type DecideQuestionDeps } from './decide-question';
import { learnFromDecision, type PhrasingLearner } from './learn-from-use';
import { rememberTurn } from './recent-turns';

/** What the worker needs to answer: how a question is decided (decide-question.ts), and where the results go. */
export interface AnswerInboundDeps extends DecideQuestionDeps {
  producer: JobEnqueuer;
  memory: ConversationStateStore<ConversationMemory>;
  memoryTtlMs: number;
  decisions: DecisionLog;
  escalation: EscalationService;
  /** Which knowledge base answers for a bot. */
  knowledgeBaseFor: (botId: string) => string | undefined;
  metrics: Metrics;
  /** On the last attempt a failing search degrades to an escalation instead of silence. */
  lastAttempt?: boolean;
  /** The last turns per conversation, shown to the agent who picks it up (recent-turns.ts). */
  turns?: Pick<RecentTurns, 'record'>;
  /** Where an asker's wording confirmed by a pick is proposed for review (learn-from-use.ts). */
  learner?: PhrasingLearner;
  /** Channels whose platform has people of its own, by channel name (ChannelDefinition.handover). */
  handovers?: ReadonlyMap<string, ChannelHandover>;
}

/**
 * The worker's job for one inbound message: while a person owns the conversation, hand the message to
 * the inbox and stay silent; otherwise search, decide, remember, record, queue the reply, and open an
 * escalation when the decision is to hand over. The reply's id derives from the message's, so running
 * this twice queues one reply. Returns null when the message went to an agent.
 */
export async function answerInbound(deps: AnswerInboundDeps, message: InboundMessage): Promise<Decision | null> {
  return inSpan('answer', message.trace, async (span) => answerInSpan(deps, message, span));
}

async function answerInSpan(deps: AnswerInboundDeps, message: InboundMessage, span: Span): Promise<Decision | null> {
  if (await deps.escalation.relayIfEscalated(message)) {
    deps.metrics.decisions.inc({ kind: 'relayed' });
    return null;
  }
  const knowledgeBase = deps.knowledgeBaseFor(message.botId);
  if (!knowledgeBase)
    throw new AnswerbridgeError(
      'ANSWER.NO_KNOWLEDGE_BASE',
      `no knowledge base configured for bot ${message.botId}`,
      false,
    );
  const memory = (await deps.memory.get(message.conversationId)) ?? emptyMemory;
  const { decision, policy } = await decideQuestion(
    { ...deps, timeSearch: (run) => deps.metrics.time('search', run) },
    {
      botId: message.botId,
      knowledgeBase,
      question: { kind: message.kind, text: message.text },
      memory,
      span,
      ...(deps.lastAttempt ? { lastAttempt: true } : {}),
      messageId: message.id,
    },
  );
  if (decision.memory !== memory) await deps.memory.set(message.conversationId, decision.memory, deps.memoryTtlMs);
  deps.metrics.decisions.inc({ kind: decision.kind });
  const record = {
    at: Date.now(),
    botId: message.botId,
    channel: message.channel,
    messageId: message.id,
    conversationId: message.conversationId,
    question: message.text,
    kind: decision.kind,
    reason: decision.reason,
    entryId: decision.entryId,
    confidence: decision.confidence,
    thresholds: {
      answer: policy.confidence.answerAt,
      suggest: policy.confidence.suggestAt,
      calibrated: policy.confidence.calibrated,
    },
    ...(decision.assessment ? { evidence: decision.assessment.evidence, inTop3: decision.assessment.inTop3 } : {}),
    scores: decision.scores.slice(0, 5),
  };
  await deps.decisions.record(record);
  span.setAttributes({ 'answerbridge.decision': decision.kind, 'answerbridge.reason': decision.reason });
  deps.logger.info({ event: 'decision', ...record, question: undefined }, 'decided');
  await rememberTurn(deps.turns, message, decision);
  if (decision.kind === 'escalate') {
    // The platform's own people may take it (微信客服's servicers); otherwise our inbox does.
    const taken = (await deps.handovers?.get(message.channel)?.handOver(message)) === 'channel';
    if (!taken) await deps.escalation.escalate(message, decision);
  }
  if (decision.reply !== null) {
    const id = replyIdFor(message.id);
    await deps.producer.enqueue(
      'outbound.send.v1',
      {
        id,
        botId: message.botId,
        inReplyTo: message.id,
        target: message.replyTarget,
        text: decision.reply,
        trace: carrierOf(span),
      },
      { dedupeId: id },
    );
  }
  deps.metrics.stageSeconds.observe(
    { stage: 'inbound_to_reply_queued', outcome: decision.kind },
    (Date.now() - message.receivedAt) / 1000,
  );
  // After the reply is queued: learning is a side effect, and a slow or absent database must not delay it.
  await learnFromDecision(deps.learner, message, knowledgeBase, decision, deps);
  return decision;
}
