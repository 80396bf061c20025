import {
  decide,
  emptyMemory,
  needsSearch,
  resemblesPersonRequest,
  type AnswerPolicy,
  type ConfidenceModel,
  type ConversationMemory,
  type Decision,
  type PersonPrototypes,
  type Question,
  type SearchOutcome,
} from '@answerbridge/answering';
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
import type { Candidate, KnowledgeSearcher } from '@answerbridge/knowledge';
import { carrierOf, inSpan, type Logger, type Metrics, type Span } from '@answerbridge/observability';
import { learnFromDecision, type PhrasingLearner } from './learn-from-use';
import { rememberTurn } from './recent-turns';

export interface AnswerInboundDeps {
  /** The searcher for a bot (its language decides the search settings). */
  searcherFor: (botId: string) => KnowledgeSearcher;
  producer: JobEnqueuer;
  /** The answer policy for a bot, with its knowledge base's own confidence model when it has one. */
  policyFor: (botId: string, calibrated: ConfidenceModel | null) => AnswerPolicy;
  /** The confidence model recorded with a knowledge base's active version (`kb calibrate`), if any. */
  calibrationFor: (knowledgeBase: string) => Promise<ConfidenceModel | null>;
  /** Embeddings of requests for a person and their look-alikes, for the profile in use (null: none measured). */
  personPrototypes?: () => Promise<PersonPrototypes | null>;
  memory: ConversationStateStore<ConversationMemory>;
  memoryTtlMs: number;
  decisions: DecisionLog;
  escalation: EscalationService;
  /** Which knowledge base answers for a bot. */
  knowledgeBaseFor: (botId: string) => string | undefined;
  logger: Logger;
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
  let question: Question = { kind: message.kind, text: message.text };
  const memory = (await deps.memory.get(message.conversationId)) ?? emptyMemory;
  let candidates: Candidate[] = [];
  let degraded = false;
  let keywordOnly = false;
  let failed = false;
  if (needsSearch(question, memory)) {
    try {
      let vector: number[] | null;
      ({ candidates, degraded, keywordOnly, vector } = await deps.metrics.time('search', () =>
        inSpan('search', span, () => deps.searcherFor(message.botId).searchOrDegrade(knowledgeBase, message.text)),
      ));
      // The question's own embedding, already made for the search: no second request.
      const prototypes = vector && deps.personPrototypes ? await deps.personPrototypes().catch(() => null) : null;
      if (vector && prototypes)
        question = { ...question, resemblesPersonRequest: resemblesPersonRequest(vector, prototypes) };
    } catch (error) {
      if (!deps.lastAttempt) throw error;
      failed = true;
      deps.logger.error({ err: error, messageId: message.id }, 'search failed on the last attempt; escalating');
    }
  }
  const policy = deps.policyFor(
    message.botId,
    candidates.length && !degraded && !keywordOnly ? await deps.calibrationFor(knowledgeBase) : null,
  );
  const outcome: SearchOutcome = failed
    ? 'failed'
    : degraded
      ? 'keyword-fallback'
      : keywordOnly
        ? 'keyword-only'
        : 'searched';
  const decision = decide(question, candidates, memory, policy, outcome);
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
  await learnFromDecision(deps.learner, message, knowledgeBase, decision, deps);
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
  return decision;
}
