/**
 * The review queue's records, shared by the knowledge lib (the rules) and the database adapter (the
 * store), which may not import each other: one definition of each shape.
 */

/** How a phrasing was learned. */
export type LearningSource = 'picked-suggestion' | 'agent-link' | 'unanswered-queue';

/**
 * What the bot learns from use: an asker's own wording of a question, tied to the entry that answered it
 * (they picked it from a suggestion list, or an agent said which entry it was). Once an editor approves
 * it, it is one more similar question of that entry: searchable at once, and kept by every later ingest
 * for as long as the entry exists. It names no asker: none is kept.
 */
export interface LearnedPhrasing {
  /** Stable for (knowledge base, entry, wording), so the same wording learned twice is one phrasing. */
  id: string;
  entryId: string;
  text: string;
  source: LearningSource;
  savedBy: string;
  savedAt: number;
  approvedBy: string;
  approvedAt: number;
}

export type FaqDraftStatus = 'pending' | 'approving' | 'approved' | 'rejected';

/**
 * What waits for a knowledge-base editor. entry (the default): a question and answer an agent saved from a
 * conversation, to become a new entry. phrasing: an asker's wording learned from use, to become one more
 * similar question of an existing entry (`entryId`); its `answer` is that entry's, for the editor to read.
 */
export interface FaqDraft {
  id: string;
  kind?: 'entry' | 'phrasing';
  /** How a phrasing was learned. */
  source?: LearningSource;
  status: FaqDraftStatus;
  knowledgeBase: string;
  botId: string;
  conversationId: string;
  question: string;
  answer: string;
  savedBy: string;
  savedAt: number;
  /** The editor who approved or rejected it, and when. */
  decidedBy?: string;
  decidedAt?: number;
  rejectReason?: string;
  /** The live entry it became (an entry draft), or the entry it joins (a phrasing). */
  entryId?: string;
}
