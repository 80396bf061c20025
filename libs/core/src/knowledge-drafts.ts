import type { KnowledgeEntryRecord } from './knowledge-records';

/**
 * The working draft (草稿) of a knowledge base: every entry as the editors want it, collected until someone
 * publishes it. One per knowledge base, shared by its editors; kept in the system of record so a restart
 * loses none of it.
 */
export interface KnowledgeDraftRecord {
  knowledgeBase: string;
  /** The revision (KnowledgeRecord.revision) the draft was started from; null: none was recorded yet. */
  basedOn: number | null;
  /** Every entry of the knowledge base as the draft has it, in order. */
  entries: KnowledgeEntryRecord[];
  /** How many times it was saved: a save names the count it was made on, so two editors never overwrite each other. */
  edits: number;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
}

export interface KnowledgeDraftStore {
  get(knowledgeBase: string): Promise<KnowledgeDraftRecord | null>;
  /**
   * Writes the draft when it is still as read: its edit count equals `expectedEdits` (null: there is no draft
   * yet). Stores `draft.edits` as given. False when someone saved in between: read it again and redo the change.
   */
  save(draft: KnowledgeDraftRecord, expectedEdits: number | null): Promise<boolean>;
  /** Drops the draft; false when there was none. */
  discard(knowledgeBase: string): Promise<boolean>;
}

/** What one publication did to one entry (knowledge_entry_changes), for the version history. */
export interface KnowledgeEntryChangeRecord {
  versionId: number;
  entryId: string;
  change: 'added' | 'changed' | 'removed';
  before: KnowledgeEntryRecord | null;
  after: KnowledgeEntryRecord | null;
  changedBy: string;
  changedAt: number;
}

/** The entries a publication changed, read back for people (who changed what). */
export interface KnowledgeChangeLog {
  /** The changes of one version of a knowledge base, in the order they were recorded; none for another's version. */
  changesOf(knowledgeBase: string, versionId: number): Promise<KnowledgeEntryChangeRecord[]>;
  /**
   * Every change published after revision `revision` (null: all of them), oldest first: what others published
   * while a draft was being edited, which the draft takes in before it is published (rebaseDraft).
   */
  changesSince(knowledgeBase: string, revision: number | null): Promise<KnowledgeEntryChangeRecord[]>;
}
