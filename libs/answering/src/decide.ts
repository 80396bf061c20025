import { assess, verdictOf, type Assessment, type ConfidenceModel, type RankedMatch } from './confidence';
import { classifyIntent, type Intent } from './intents';

/** What the policy needs to know about a knowledge-base match. */
export interface ScoredCandidate extends RankedMatch {
  entryId: string;
  question: string;
  answer: string;
  /** The entry's best cosine (its BM25 score in keyword-only search): recorded, and the keyword threshold's input. */
  confidence: number;
  /** The search mode's ranking score (recorded, not thresholded). */
  score: number;
  /** The entry's question (canonical, similar or learned) that matched best, when the search says. */
  matchedQuestion?: string;
}

export interface PolicyMessages {
  /** When the bot hands the conversation to people: the asker learns a person is coming. */
  escalate: string;
  /** When the asker asked for a person (转人工): no "I cannot answer this", just that one is coming. */
  handover: string;
  /** When the asker said the answer did not help (没用): an apology, and that a person is coming. */
  notHelpful: string;
  /** Sent for messages we cannot read (images, files, voice without recognition text). */
  nonText: string;
  greeting: string;
  thanks: string;
  /** Heads the "did you mean" list; the numbered questions follow, then `suggestFooter`. */
  suggestHeader: string;
  suggestFooter: string;
}

export interface AnswerPolicy {
  /**
   * Turns the ranked candidates into P(the top entry is right) and P(the right entry is in the top three):
   * answer verbatim at or above its answer threshold, offer the top questions at or above its suggestion
   * threshold, otherwise hand over to a person.
   */
  confidence: ConfidenceModel;
  maxSuggestions: number;
  /** Escalate instead of suggesting again after this many suggestion lists without a pick. */
  maxSuggestionsInARow: number;
  /**
   * With the embedder down, candidates come from BM25 alone and their confidence is a BM25 score: answer
   * only at or above this (stricter) score, never suggest, otherwise escalate.
   */
  keywordFallbackThreshold: number;
  messages: PolicyMessages;
}

export const defaultMessages: PolicyMessages = {
  escalate: '这个问题我暂时回答不了，已为您转接人工客服，请稍候，客服接入后会在这里回复您。',
  handover: '好的，正在为您转接人工客服，请稍候，客服接入后会在这里回复您。',
  notHelpful: '抱歉没能帮到您，已为您转接人工客服，请稍候，客服接入后会在这里回复您。',
  nonText: '目前我只能阅读文字消息，请用文字描述您的问题。',
  greeting: '您好！我是智能助手，请直接输入您的问题，例如「怎么修改密码」。',
  thanks: '不客气！还有其他问题随时问我。',
  suggestHeader: '您是不是想问：',
  suggestFooter: '请回复序号查看答案。',
};

/** What the bot remembers of a conversation between two messages (kept briefly, per conversation). */
export interface ConversationMemory {
  /** The suggestion list last offered, to resolve a reply like "2". */
  pendingSuggestions: { entryId: string; question: string; answer: string }[];
  /** The asker's words the list was offered for: a pick ties them to an entry (what the bot learns). */
  suggestedFor?: string;
  suggestionsInARow: number;
  lastKind: DecisionKind | null;
}

export const emptyMemory: ConversationMemory = { pendingSuggestions: [], suggestionsInARow: 0, lastKind: null };

export type DecisionKind = 'answer' | 'suggest' | 'escalate' | 'greeting' | 'thanks' | 'unreadable' | 'ignore';

export type DecisionReason =
  | 'above-answer-threshold'
  | 'same-wording'
  | 'picked-suggestion'
  | 'between-thresholds'
  | 'below-suggest-threshold'
  | 'no-candidates'
  | 'asked-for-human'
  | 'answer-not-helpful'
  | 'repeated-suggestions'
  | 'keyword-fallback'
  | 'embedder-unavailable'
  | 'search-unavailable'
  | 'greeting'
  | 'thanks'
  | 'no-text'
  | 'event';

export interface Decision {
  kind: DecisionKind;
  reason: DecisionReason;
  /** The reply to send; null when nothing is sent. */
  reply: string | null;
  entryId: string | null;
  /** P(the top candidate is right) — or its BM25 score in keyword-only search — when there was one. */
  confidence: number | null;
  /** The evidence and probabilities behind the decision, when the confidence model was consulted. */
  assessment: Assessment | null;
  /** Every candidate's scores, best first: the record of why. */
  scores: { entryId: string; confidence: number; score: number }[];
  /** The candidates an escalation carries to the agent, or the list offered. */
  suggestions: { entryId: string; question: string; answer: string }[];
  /**
   * The asker's own wording of a question they confirmed an entry answers (by picking it from the list
   * offered for it): a phrasing the knowledge base can learn, after review. Null when nothing was learned.
   */
  learned: { question: string; entryId: string } | null;
  memory: ConversationMemory;
}

export interface Question {
  kind: 'text' | 'voice' | 'image' | 'event' | 'other';
  text: string;
  /** Its embedding resembles the requests for a person no phrase names (person-prototypes.ts). */
  resemblesPersonRequest?: boolean;
}

/** Whether `decide` needs knowledge-base candidates for this message (intents and events do not). */
export function needsSearch(question: Question, memory: ConversationMemory = emptyMemory): boolean {
  if (question.kind === 'event' || !question.text.trim()) return false;
  const intent = classifyIntent(question.text);
  if (intent.kind === 'pick') return !memory.pendingSuggestions[intent.index - 1];
  return intent.kind === 'question' || (intent.kind === 'unhelpful' && memory.lastKind !== 'answer');
}

/** The wording without case, width, spaces and punctuation: "怎么改密码？" and "怎么改密码" are the same. */
function wordingKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}]+/gu, '');
}

export function sameWording(a: string, b: string): boolean {
  const key = wordingKey(a);
  return key.length > 0 && key === wordingKey(b);
}

function suggestionList(candidates: ScoredCandidate[], max: number) {
  return candidates.slice(0, max).map((c) => ({ entryId: c.entryId, question: c.question, answer: c.answer }));
}

/**
 * How the candidates were found, which decides what their confidences mean:
 * - `searched`: the configured search ran; confidences are probabilities from the confidence model;
 * - `keyword-fallback`: the embedder failed and the candidates come from BM25 alone;
 * - `keyword-only`: BM25 is the configured search mode;
 * - `failed`: the search itself failed (on the last attempt): hand over.
 * With either keyword outcome confidences are BM25 scores, held to the keyword threshold.
 */
export type SearchOutcome = 'searched' | 'keyword-fallback' | 'keyword-only' | 'failed';

/**
 * Pure: the same message, candidates, memory and policy always give the same decision. Candidates
 * come ranked by the search; thresholds apply to the top one's confidence.
 */
export function decide(
  question: Question,
  candidates: ScoredCandidate[],
  memory: ConversationMemory,
  policy: AnswerPolicy,
  search: SearchOutcome = 'searched',
): Decision {
  const scores = candidates.map((c) => ({ entryId: c.entryId, confidence: c.confidence, score: c.score }));
  const top = candidates[0];
  const keywordScored = search === 'keyword-fallback' || search === 'keyword-only';
  const assessment = keywordScored ? null : assess(candidates, policy.confidence);
  const base = {
    scores,
    confidence: keywordScored ? (top?.confidence ?? null) : (assessment?.right ?? null),
    assessment,
    entryId: null,
    suggestions: [] as Decision['suggestions'],
    learned: null,
  };
  const make = (
    kind: DecisionKind,
    reason: DecisionReason,
    reply: string | null,
    extra: Partial<Decision> = {},
    memoryChange: Partial<ConversationMemory> = {},
  ): Decision => ({
    ...base,
    kind,
    reason,
    reply,
    ...extra,
    memory: { pendingSuggestions: [], suggestionsInARow: 0, lastKind: kind, ...memoryChange },
  });
  const m = policy.messages;

  if (question.kind === 'event') return { ...make('ignore', 'event', null), memory };
  if (!question.text.trim()) return make('unreadable', 'no-text', m.nonText);

  const intent: Intent = classifyIntent(question.text);
  if (intent.kind === 'pick') {
    const picked = memory.pendingSuggestions[intent.index - 1];
    if (picked) {
      const learned = memory.suggestedFor?.trim()
        ? { question: memory.suggestedFor.trim(), entryId: picked.entryId }
        : null;
      return make('answer', 'picked-suggestion', picked.answer, { entryId: picked.entryId, confidence: null, learned });
    }
  }
  if (intent.kind === 'human' || (intent.kind === 'question' && question.resemblesPersonRequest)) {
    return make('escalate', 'asked-for-human', m.handover, {
      suggestions: suggestionList(candidates, policy.maxSuggestions),
    });
  }
  if (intent.kind === 'greeting') return make('greeting', 'greeting', m.greeting);
  if (intent.kind === 'thanks') return make('thanks', 'thanks', m.thanks);
  if (intent.kind === 'unhelpful' && memory.lastKind === 'answer')
    return make('escalate', 'answer-not-helpful', m.notHelpful);

  if (search === 'failed') return make('escalate', 'search-unavailable', m.escalate);
  if (keywordScored) {
    if (top && top.confidence >= policy.keywordFallbackThreshold) {
      return make('answer', search === 'keyword-fallback' ? 'keyword-fallback' : 'above-answer-threshold', top.answer, {
        entryId: top.entryId,
      });
    }
    return make(
      'escalate',
      search === 'keyword-fallback' ? 'embedder-unavailable' : 'below-suggest-threshold',
      m.escalate,
      {
        suggestions: suggestionList(candidates, policy.maxSuggestions),
      },
    );
  }
  if (!top || !assessment) return make('escalate', 'no-candidates', m.escalate);
  // Word for word one of the top entry's questions: an editor wrote or approved that wording for this
  // entry, so it is answered whatever the scores say (an approved wording is answered from then on).
  if (top.matchedQuestion !== undefined && sameWording(question.text, top.matchedQuestion))
    return make('answer', 'same-wording', top.answer, { entryId: top.entryId });
  const verdict = verdictOf(assessment, policy.confidence);
  if (verdict === 'answer') return make('answer', 'above-answer-threshold', top.answer, { entryId: top.entryId });
  // The top questions, not only those above the threshold: once the best is plausible, its neighbours
  // are the likeliest alternatives ("电脑" → 报修 / 申领 / 软件).
  const suggestions = suggestionList(candidates, policy.maxSuggestions);
  if (verdict === 'suggest') {
    if (memory.suggestionsInARow >= policy.maxSuggestionsInARow)
      return make('escalate', 'repeated-suggestions', m.escalate, { suggestions });
    const list = suggestions.map((s, i) => `${i + 1}. ${s.question}`).join('\n');
    return make(
      'suggest',
      'between-thresholds',
      `${m.suggestHeader}\n${list}\n${m.suggestFooter}`,
      { suggestions },
      {
        pendingSuggestions: suggestions,
        suggestedFor: question.text,
        suggestionsInARow: memory.suggestionsInARow + 1,
      },
    );
  }
  return make('escalate', 'below-suggest-threshold', m.escalate, {
    suggestions: suggestionList(candidates, policy.maxSuggestions),
  });
}
