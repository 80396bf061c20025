import {
  decide,
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
  questionLanguage,
  textLanguage,
  type Candidate,
  type KnowledgeSearcher,
  type Language,
} from '@answerbridge/knowledge';
import { inSpan, type Logger, type Span } from '@answerbridge/observability';

export interface DecideQuestionDeps {
  /** The language a bot sets in the bots file, if any; otherwise each question is read by its script. */
  languageOf: (botId: string) => Language | undefined;
  /** The searcher for a language (its measured search settings). */
  searcherFor: (language: Language) => KnowledgeSearcher;
  /** The answer policy for a language, with the knowledge base's own confidence model when it has one. */
  policyFor: (language: Language, calibrated: ConfidenceModel | null) => AnswerPolicy;
  /** The confidence model recorded with a knowledge base's active version (`kb calibrate`), if any. */
  calibrationFor: (knowledgeBase: string) => Promise<ConfidenceModel | null>;
  /**
   * Embeddings of requests for a person and their look-alikes, with the setting for the profile in use and the
   * message's language (null: none measured).
   */
  personPrototypes?: (language?: Language) => Promise<PersonPrototypes | null>;
  logger: Logger;
  /** Wraps the search, for the stage histogram. */
  timeSearch?: <T>(run: () => Promise<T>) => Promise<T>;
}

export interface QuestionDecision {
  decision: Decision;
  /** The policy it was held to (thresholds, and whether the confidence model was calibrated). */
  policy: AnswerPolicy;
  candidates: Candidate[];
  outcome: SearchOutcome;
}

/**
 * How the bot decides one question: search (unless the question needs none, like a greeting or a pick from
 * a list), recognise a request for a person by the question's embedding, pick the policy (the knowledge
 * base's own calibration when the search was a full one), and `decide`. The worker answers with it, and the
 * console's hit test shows it, so what an editor sees is what an asker gets. `lastAttempt`: a failing search
 * decides as 'failed' (an escalation) instead of throwing.
 */
export async function decideQuestion(
  deps: DecideQuestionDeps,
  input: {
    botId: string;
    knowledgeBase: string;
    question: Question;
    memory: ConversationMemory;
    span?: Span;
    lastAttempt?: boolean;
    /** For the log line of a failed search. */
    messageId?: string;
    /** How many candidates to search for (the searcher's default when absent). */
    limit?: number;
  },
): Promise<QuestionDecision> {
  let question = input.question;
  const language = questionLanguage(question.text, deps.languageOf(input.botId));
  let candidates: Candidate[] = [];
  let degraded = false;
  let keywordOnly = false;
  let failed = false;
  if (needsSearch(question, input.memory)) {
    try {
      let vector: number[] | null;
      const search = () =>
        inSpan('search', input.span, () =>
          deps.searcherFor(language).searchOrDegrade(input.knowledgeBase, question.text, input.limit),
        );
      ({ candidates, degraded, keywordOnly, vector } = await (deps.timeSearch ? deps.timeSearch(search) : search()));
      // The question's own embedding, already made for the search: no second request.
      const prototypes =
        vector && deps.personPrototypes
          ? await deps.personPrototypes(textLanguage(question.text)).catch(() => null)
          : null;
      if (vector && prototypes)
        question = { ...question, resemblesPersonRequest: resemblesPersonRequest(vector, prototypes) };
    } catch (error) {
      if (!input.lastAttempt) throw error;
      failed = true;
      deps.logger.error(
        { err: error, botId: input.botId, messageId: input.messageId },
        'search failed on the last attempt; escalating',
      );
    }
  }
  const policy = deps.policyFor(
    language,
    candidates.length && !degraded && !keywordOnly ? await deps.calibrationFor(input.knowledgeBase) : null,
  );
  const outcome: SearchOutcome = failed
    ? 'failed'
    : degraded
      ? 'keyword-fallback'
      : keywordOnly
        ? 'keyword-only'
        : 'searched';
  return { decision: decide(question, candidates, input.memory, policy, outcome), policy, candidates, outcome };
}
