export { acceptInbound, type AcceptResult } from './accept-inbound';
export { answerInbound, type AnswerInboundDeps } from './answer-inbound';
export { decideQuestion, type DecideQuestionDeps, type QuestionDecision } from './decide-question';
export { sendReply, replyFailedForGood, type SendReplyDeps } from './send-reply';
export { notifyUnclaimed, type NotifyUnclaimedDeps } from './notify-unclaimed';
export {
  confidenceModelFor,
  createKnowledgeServices,
  keywordThresholdFor,
  keywordThresholds,
  searchDefaults,
  searchDefaultsFor,
  type KnowledgeServices,
  type Language,
} from './wiring/knowledge-services';
export {
  createConversationMemory,
  createDecisionLog,
  createEscalationService,
  createPersonalDataService,
  createRecentTurns,
} from './wiring/escalation-services';
export { createFaqReview, moveReviewQueueFromRedis, type ReviewQueueMoved } from './wiring/review-queue';
export { createChannelSenders } from './wiring/channel-senders';
export {
  botsOf,
  channelLabels,
  channelNamed,
  channelRegistry,
  channelSettingNames,
  channelSettings,
  configureChannels,
  parseChannelBots,
  validReplyTarget,
  type AnyChannel,
  type ConfiguredChannel,
} from './wiring/channel-registry';
export { loadPersonRequestPhrasings, personPrototypesFor } from './person-prototypes';
export { createWorkerServices, type WorkerServices } from './wiring/worker-services';
export { rememberTurn } from './recent-turns';
export { learnFromDecision, type PhrasingLearner } from './learn-from-use';
export { unansweredQueue, type UnansweredGroup, type UnansweredQueueDeps } from './unanswered-queue';
