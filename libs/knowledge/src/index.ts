export { entryIdFor, validateEntries, FaqParseError, type EntryProvenance, type FaqEntry } from './faq-entry';
export { parseQaText } from './parse-qa-text';
export { parseFaqCsv, parseFaqCsvRows } from './parse-csv';
export { parseFaqMarkdown } from './parse-markdown';
export { parseFaqJsonl } from './parse-jsonl';
export { parseFaq, loadFaqFile } from './load-faq-file';
export { faqLanguage, questionLanguage, textLanguage, type Language } from './faq-language';
export {
  readFaqImport,
  readFaqFile,
  importableExtensions,
  MAX_IMPORT_BYTES,
  type FaqImport,
  type FaqImportFormat,
} from './import/read-faq-import';
export { decodeText, type TextEncodingName } from './import/decode-text';
export { entriesFromTable, type ImportIssue } from './import/faq-table';
export { parseFaqXlsx, MAX_SPREADSHEET_ROWS } from './import/parse-xlsx';
export { parseFaqDocx, docxToMarkdown } from './import/parse-docx';
export {
  planImport,
  planChangesNothing,
  IMPORT_MODES,
  type ImportMode,
  type ImportPlan,
  type EntryChange,
} from './import/import-plan';
export { prepareImport, type KeptKnowledge, type PreparedImport } from './import/prepare-import';
export { activeEntries, entriesOfVersion } from './active-entries';
export {
  recordedEntries,
  publishEntries,
  recordRollback,
  rebuildIndex,
  type RecordedEntries,
  type Publication,
  type Published,
  type Rebuilt,
} from './publish-entries';
export {
  ingestKnowledgeBase,
  indexedRows,
  questionsOf,
  type IngestOptions,
  type IngestProgress,
  type IngestResult,
} from './ingest-knowledge-base';
export {
  KnowledgeSearcher,
  SEARCH_DEPTH,
  defaultSearchOptions,
  rerankCandidates,
  type SearchOptions,
} from './knowledge-searcher';
export { fuseCandidates, type Candidate, type Fusion, type SearchMode } from './fuse-candidates';
export { parseEvalQueries, loadEvalQueries, type EvalQuery } from './evaluation/eval-queries';
export {
  outcomeOf,
  outOfScopeAuroc,
  retrievalMetrics,
  type QueryOutcome,
  type RetrievalMetrics,
} from './evaluation/retrieval-metrics';
export {
  calibrateKnowledgeBase,
  parseConfidenceModel,
  type KnowledgeBaseCalibration,
} from './evaluation/calibrate-knowledge-base';
export {
  calibrateFromUse,
  MIN_LEARNED_FOR_CALIBRATION,
  type CalibrateFromUseOptions,
  type CalibrationFromUse,
} from './evaluation/calibrate-from-use';
export { decisionFor, decisionMetrics, type DecisionMetrics, type QueryDecision } from './evaluation/decision-metrics';
export { policyMetrics, type EvaluatedPolicy, type PolicyCase, type PolicyMetrics } from './evaluation/policy-metrics';
export {
  fitConfidenceModel,
  fitLogistic,
  wilsonBound,
  SUGGEST_AT,
  type FitOptions,
  type LabelledMatch,
} from './evaluation/fit-confidence';
export {
  evaluateKnowledgeBase,
  type Evaluation,
  type EvaluationOptions,
  type ModeEvaluation,
} from './evaluation/evaluate-knowledge-base';
export {
  diffVersions,
  rollbackVersion,
  VersionNotFoundError,
  type VersionDiff,
  type VersionedEntry,
} from './knowledge-versions';
export { addEntryToActiveVersion, savedEntryFor } from './add-entry';
export { recordAdditions, type RecordedAdditions } from './record-approval';
export {
  addPhrasingToActiveVersion,
  learnedPhrasingId,
  mergeLearnedPhrasings,
  normalizedWording,
  LearnedEntryGoneError,
  MAX_LEARNED_LENGTH,
  type LearnedPhrasing,
  type LearningSource,
} from './learned-phrasing';
export {
  FaqReview,
  FaqDraftConflictError,
  FaqDraftNotFoundError,
  type FaqDraft,
  type FaqDraftStatus,
  type FaqDraftStore,
  type FaqReviewDeps,
} from './faq-review';
export { groupSimilar, sameQuestionThreshold, type QuestionGroup } from './unanswered/group-questions';
export {
  unansweredQuestions,
  inaccurateAnswers,
  type UnansweredQuestion,
  type UnansweredWhy,
} from './unanswered/unanswered-questions';
export {
  analyzeDecisions,
  analyticsCsv,
  dayOf,
  outcomeKindOf,
  NOT_QUESTION_REASONS,
  type DecisionAnalytics,
  type EscalationTiming,
  type FeedbackFigures,
  type OutcomeKind,
} from './analytics/decision-analytics';
export {
  rollbackKnowledgeBase,
  IndexVersionGoneError,
  VersionAlreadyActiveError,
  type RollbackTarget,
  type RolledBack,
} from './rollback-knowledge-base';
export {
  DraftNotFoundError,
  DraftEntryNotFoundError,
  DraftNotPublishableError,
  DraftBusyError,
  DraftConflictError,
  IndexBuildFailedError,
} from './drafts/draft-errors';
export {
  KnowledgeDrafts,
  MAX_DRAFT_ENTRIES,
  type KnowledgeDraftsDeps,
  type EntriesView,
} from './drafts/knowledge-drafts';
export {
  readEntryInput,
  EntryInputError,
  ENTRY_LIMITS,
  type EntryInput,
  type EntryField,
  type EntryProblem,
} from './drafts/entry-input';
export {
  draftDiff,
  changedFields,
  type DraftDiff,
  type DraftEntryChange,
  type ChangedField,
} from './drafts/draft-diff';
export { DraftPreviews, draftPreviewName } from './drafts/draft-preview';
export { periodAnalytics, type PeriodAnalytics, type PeriodAnalyticsInput } from './analytics/period-analytics';
export {
  AnalyticsRecorder,
  ANALYTICS_COPY_BATCH,
  ANALYTICS_COPY_INTERVAL_MS,
  ANALYTICS_EXPIRE_EVERY_MS,
  ANALYTICS_READ_TIMEOUT_MS,
  type AnalyticsRecorderOptions,
  type CopyRound,
} from './analytics/analytics-recorder';
export {
  ResidentDenseIndex,
  defaultResidentIndexOptions,
  type ResidentIndexOptions,
  type ResidentRow,
} from './resident/resident-dense-index';
export {
  ResidentSearchStore,
  type ResidentSearchEvent,
  type ResidentSearchSettings,
} from './resident/resident-search-store';
