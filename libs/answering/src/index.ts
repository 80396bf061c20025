export { decide, needsSearch, type AnswerPolicy, type Decision, type DecisionKind, type Question, type ScoredCandidate } from './decide';
