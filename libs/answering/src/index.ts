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
  type SearchOutcome,
  type ScoredCandidate,
} from './decide';
export { classifyIntent, type Intent } from './intents';
export { isRequestForPerson } from './human-request';
export {
  EVIDENCE_DEPTH,
  EVIDENCE_FEATURES,
  assess,
  evidenceOf,
  logisticProbability,
  thresholdModel,
  verdictOf,
  type Assessment,
  type ConfidenceModel,
  type EvidenceFeature,
  type ExpectedPrecision,
  type LogisticModel,
  type MatchEvidence,
  type RankedMatch,
} from './confidence';
export { fittedConfidenceModels } from './fitted-confidence-models';
export { resemblesPersonRequest, type PersonPrototypes } from './person-prototypes';
