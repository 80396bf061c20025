import {
  KnowledgeChangedError,
  type KnowledgeEntryChangeRecord,
  type KnowledgeEntryRecord,
  type KnowledgePublication,
  type KnowledgeRecord,
  type KnowledgeRepository,
  type KnowledgeVersionRecord,
} from '@answerbridge/core';

/** The KnowledgeRepository port in memory, as the PostgreSQL adapter behaves (for unit tests). */
export class InMemoryKnowledgeRepository implements KnowledgeRepository {
  readonly entries = new Map<string, KnowledgeEntryRecord[]>();
  readonly published: KnowledgeVersionRecord[] = [];
  readonly changes: (KnowledgeEntryChangeRecord & { knowledgeBase: string })[] = [];

  async current(knowledgeBase: string): Promise<KnowledgeRecord | null> {
    const last = this.last(knowledgeBase);
    return last ? { entries: structuredClone(this.entries.get(knowledgeBase) ?? []), revision: last.id } : null;
  }

  async publish(p: KnowledgePublication): Promise<KnowledgeVersionRecord> {
    const found = this.last(p.knowledgeBase)?.id ?? null;
    if (found !== p.basedOn) throw new KnowledgeChangedError(p.knowledgeBase, p.basedOn, found);
    const version: KnowledgeVersionRecord = {
      id: this.published.length + 1,
      knowledgeBase: p.knowledgeBase,
      status: 'building',
      number: null,
      collection: null,
      source: p.source,
      mode: p.mode,
      publishedBy: p.by,
      createdAt: Date.now(),
      publishedAt: null,
      entryCount: p.entries.length,
      added: p.added.length,
      changed: p.changed.length,
      removed: p.removed.length,
      failure: null,
    };
    this.published.push(version);
    this.entries.set(p.knowledgeBase, structuredClone(p.entries));
    const change = (
      entryId: string,
      kind: KnowledgeEntryChangeRecord['change'],
      before: KnowledgeEntryRecord | null,
      after: KnowledgeEntryRecord | null,
    ) =>
      this.changes.push({
        versionId: version.id,
        knowledgeBase: p.knowledgeBase,
        entryId,
        change: kind,
        before: structuredClone(before),
        after: structuredClone(after),
        changedBy: p.by,
        changedAt: version.createdAt,
      });
    for (const e of p.added) change(e.id, 'added', null, e);
    for (const c of p.changed) change(c.after.id, 'changed', c.before, c.after);
    for (const e of p.removed) change(e.id, 'removed', e, null);
    return { ...version };
  }

  async markBuilt(versionId: number, index: { number: number; collection: string }): Promise<void> {
    const v = this.published.find((x) => x.id === versionId);
    if (v) Object.assign(v, { status: 'published', number: index.number, collection: index.collection });
  }

  async markFailed(versionId: number, reason: string): Promise<void> {
    const v = this.published.find((x) => x.id === versionId);
    if (v) Object.assign(v, { status: 'failed', failure: reason });
  }

  async versions(knowledgeBase: string, limit = 50): Promise<KnowledgeVersionRecord[]> {
    return this.published
      .filter((v) => v.knowledgeBase === knowledgeBase)
      .reverse()
      .slice(0, limit);
  }

  /** The KnowledgeChangeLog's read of what was published after a revision (the PostgreSQL adapter's is separate). */
  async changesSince(knowledgeBase: string, revision: number | null): Promise<KnowledgeEntryChangeRecord[]> {
    return structuredClone(
      this.changes.filter((c) => c.knowledgeBase === knowledgeBase && c.versionId > (revision ?? 0)),
    ).map(({ knowledgeBase: _kb, ...c }) => c);
  }

  private last(knowledgeBase: string): KnowledgeVersionRecord | undefined {
    return this.published.filter((v) => v.knowledgeBase === knowledgeBase).at(-1);
  }
}
