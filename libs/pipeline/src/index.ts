export { acceptInbound, type AcceptResult } from './accept-inbound';
export { answerInbound, type AnswerInboundDeps } from './answer-inbound';
export { sendReply, replyFailedForGood, type SendReplyDeps } from './send-reply';
export { notifyUnclaimed, type NotifyUnclaimedDeps } from './notify-unclaimed';
export {
  confidenceModelFor,
  createKnowledgeServices,
  keywordThresholdFor,
  keywordThresholds,
  searchDefaults,
  type KnowledgeServices,
  type Language,
} from './knowledge-services';
export {
  createConversationMemory,
  createDecisionLog,
  createEscalationService,
  createPersonalDataService,
} from './escalation-services';
export { createChannelSenders } from './channel-senders';
export { loadPersonRequestPhrasings, personPrototypesFor } from './person-prototypes';
export { createRecentTurns, rememberTurn } from './recent-turns';
export { createFaqReview, learnFromDecision, type PhrasingLearner } from './learn-from-use';
