export {
  decide,
  needsSearch,
  defaultMessages,
  emptyMemory,
  type AnswerPolicy,
  type ConversationMemory,
  type Decision,
  type DecisionKind,
  type DecisionReason,
  type PolicyMessages,
  type Question,
  type ScoredCandidate,
} from './decide';
export { classifyIntent, type Intent } from './intents';
