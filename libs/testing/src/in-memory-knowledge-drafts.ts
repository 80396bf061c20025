import type { KnowledgeDraftRecord, KnowledgeDraftStore } from '@answerbridge/core';

/** The KnowledgeDraftStore port in memory, as the PostgreSQL adapter behaves (for unit tests). */
export class InMemoryKnowledgeDrafts implements KnowledgeDraftStore {
  readonly drafts = new Map<string, KnowledgeDraftRecord>();
  /** Saves to refuse as if another editor had saved just before (tests of the retry). */
  refuseNextSaves = 0;

  async get(knowledgeBase: string): Promise<KnowledgeDraftRecord | null> {
    const draft = this.drafts.get(knowledgeBase);
    return draft ? structuredClone(draft) : null;
  }

  async save(draft: KnowledgeDraftRecord, expectedEdits: number | null): Promise<boolean> {
    if (this.refuseNextSaves > 0) {
      this.refuseNextSaves--;
      return false;
    }
    const found = this.drafts.get(draft.knowledgeBase)?.edits ?? null;
    if (found !== expectedEdits) return false;
    this.drafts.set(draft.knowledgeBase, structuredClone(draft));
    return true;
  }

  async discard(knowledgeBase: string): Promise<boolean> {
    return this.drafts.delete(knowledgeBase);
  }
}
