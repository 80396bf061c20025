import { createHash } from 'node:crypto';
import type { Embedder, VectorStore } from '@answerbridge/core';
import { ingestKnowledgeBase } from '../ingest-knowledge-base';
import type { KnowledgeDrafts } from './knowledge-drafts';

/**
 * Where a knowledge base's draft is indexed for hit testing: a knowledge base of its own, so no alias askers
 * are answered from ever points at it (its collections, kb_<name>__draft_vN, are not versions of <name>).
 */
export const draftPreviewName = (knowledgeBase: string) => `${knowledgeBase}__draft`;

/**
 * Search indexes of drafts, built when asked for (命中测试 against the draft) and again only when the draft's
 * entries changed since. Give it an embedder that caches passages: a rebuild then embeds only what changed.
 */
export class DraftPreviews {
  /** The entries each preview was built from (a digest), so an unchanged draft is not indexed again. */
  private readonly built = new Map<string, string>();
  private readonly building = new Map<string, Promise<void>>();

  constructor(
    private readonly drafts: KnowledgeDrafts,
    private readonly store: VectorStore,
    private readonly embedder: Embedder,
  ) {}

  /** The knowledge base to search for the draft of `knowledgeBase`; null when it has no draft (search the live one). */
  async preview(knowledgeBase: string): Promise<string | null> {
    const view = await this.drafts.entries(knowledgeBase, 'draft');
    if (!view.draft) return null;
    const name = draftPreviewName(knowledgeBase);
    const digest = createHash('sha1').update(JSON.stringify(view.entries)).digest('hex');
    const key = `${knowledgeBase}\u0000${digest}`;
    if (this.built.get(knowledgeBase) === digest && (await this.store.activeCollection(name))) return name;
    // Two hit tests of the same draft at once build it once.
    let build = this.building.get(key);
    if (!build) {
      build = ingestKnowledgeBase(this.store, this.embedder, name, view.entries, { keepVersions: 1 })
        .then(() => void this.built.set(knowledgeBase, digest))
        .finally(() => this.building.delete(key));
      this.building.set(key, build);
    }
    await build;
    return name;
  }
}
