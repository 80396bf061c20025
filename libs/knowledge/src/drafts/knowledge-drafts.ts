import {
  type Embedder,
  type KnowledgeDraftRecord,
  type KnowledgeChangeLog,
  type KnowledgeDraftStore,
  type KnowledgeRepository,
  type VectorStore,
} from '@answerbridge/core';
import type { FaqEntry } from '../faq-entry';
import { planChangesNothing, planImport, type ImportPlan } from '../import/import-plan';
import { normalizedWording } from '../learned-phrasing';
import { rebaseDraft } from './rebase-draft';
import { publishEntries, recordedEntries, type Published, type RecordedEntries } from '../publish-entries';
import { ENTRY_LIMITS, EntryInputError, newEntryId, wordingTaken, type EntryInput } from './entry-input';
import { draftDiff, type DraftDiff } from './draft-diff';
import {
  DraftBusyError,
  DraftEntryNotFoundError,
  DraftNotFoundError,
  DraftNotPublishableError,
  IndexBuildFailedError,
  DraftConflictError,
} from './draft-errors';

/** A knowledge base may hold this many entries in a draft (a large FAQ has a few thousand). */
export const MAX_DRAFT_ENTRIES = 20_000;
/** Saves retried when another editor saved in between (each retry redoes the change on what they saved). */
const SAVE_ATTEMPTS = 5;

export interface KnowledgeDraftsDeps {
  repository: KnowledgeRepository;
  drafts: KnowledgeDraftStore;
  store: VectorStore;
  embedder: Embedder;
  /** What was published after a draft was started, which the draft takes in (rebaseDraft). */
  changes: Pick<KnowledgeChangeLog, 'changesSince'>;
  now?: () => number;
}

/** The entries as a page shows them: live ones (what askers are answered from) or the draft's. */
export interface EntriesView {
  view: 'live' | 'draft';
  entries: FaqEntry[];
  /** The draft, when there is one (also when the live entries are shown). */
  draft: Omit<KnowledgeDraftRecord, 'entries'> | null;
  /** The live entries' revision. */
  revision: number | null;
}

/**
 * Editing a knowledge base through its draft (草稿): the first change copies the live entries into a draft,
 * every change after that edits the draft alone, and publishing makes the draft the next version (the system
 * of record first, then the search index) and drops it. Nothing an editor does reaches askers before that.
 */
export class KnowledgeDrafts {
  private readonly now: () => number;

  constructor(private readonly deps: KnowledgeDraftsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The live entries, or the draft's (as the live ones until there is a draft). */
  async entries(knowledgeBase: string, view: 'live' | 'draft'): Promise<EntriesView> {
    const [draft, live] = await Promise.all([this.deps.drafts.get(knowledgeBase), this.live(knowledgeBase)]);
    const header = draft ? withoutEntries(draft) : null;
    // With no draft yet, the draft view is the live entries: the first change starts a draft from them.
    if (view === 'draft')
      return {
        view,
        entries: draft ? (await this.upToDate(draft, live)).entries : live.entries,
        draft: header,
        revision: live.revision,
      };
    return { view: 'live', entries: live.entries, draft: header, revision: live.revision };
  }

  /** Adds an entry to the draft (no id) or replaces the draft's entry with that id. */
  async putEntry(knowledgeBase: string, input: EntryInput, by: string): Promise<FaqEntry> {
    let saved: FaqEntry | undefined;
    await this.change(knowledgeBase, by, (entries) => {
      const at = input.id === undefined ? -1 : entries.findIndex((e) => e.id === input.id);
      if (input.id !== undefined && at < 0) throw new DraftEntryNotFoundError(knowledgeBase, input.id);
      const before = at >= 0 ? entries[at] : undefined;
      if (!before && entries.length >= MAX_DRAFT_ENTRIES)
        throw new EntryInputError('id', 'too-many', MAX_DRAFT_ENTRIES);
      const entry: FaqEntry = {
        id: before?.id ?? newEntryId(entries, input.question),
        ...(before?.kind ? { kind: before.kind } : {}),
        question: input.question,
        similar: input.similar ?? [],
        answer: input.answer,
        ...(input.category ? { category: input.category } : {}),
        tags: input.tags ?? [],
        ...(before?.provenance ? { provenance: before.provenance } : {}),
      };
      wordingTaken(entries, entry, before);
      saved = entry;
      return at >= 0 ? entries.map((e, i) => (i === at ? entry : e)) : [...entries, entry];
    });
    return saved!;
  }

  async deleteEntry(knowledgeBase: string, entryId: string, by: string): Promise<void> {
    await this.change(knowledgeBase, by, (entries) => {
      if (!entries.some((e) => e.id === entryId)) throw new DraftEntryNotFoundError(knowledgeBase, entryId);
      return entries.filter((e) => e.id !== entryId);
    });
  }

  /** One more similar question (相似问题) for an entry of the draft; nothing when it has that wording already. */
  async addPhrasing(knowledgeBase: string, entryId: string, wording: string, by: string): Promise<FaqEntry> {
    const text = wording.trim();
    if (!text) throw new EntryInputError('similar', 'required');
    if (text.length > ENTRY_LIMITS.question) throw new EntryInputError('similar', 'too-long', ENTRY_LIMITS.question);
    return this.changeEntry(knowledgeBase, entryId, by, (entry, entries) => {
      const known = new Set([entry.question, ...entry.similar].map(normalizedWording));
      if (known.has(normalizedWording(text))) return entry;
      if (entry.similar.length >= ENTRY_LIMITS.similar)
        throw new EntryInputError('similar', 'too-many', ENTRY_LIMITS.similar);
      const next = { ...entry, similar: [...entry.similar, text] };
      wordingTaken(entries, next, entry);
      return next;
    });
  }

  async removePhrasing(knowledgeBase: string, entryId: string, wording: string, by: string): Promise<FaqEntry> {
    const key = normalizedWording(wording);
    return this.changeEntry(knowledgeBase, entryId, by, (entry) => ({
      ...entry,
      similar: entry.similar.filter((q) => normalizedWording(q) !== key),
    }));
  }

  /** What publishing the draft would change, against the live entries now. */
  async diff(knowledgeBase: string): Promise<DraftDiff> {
    const draft = await this.deps.drafts.get(knowledgeBase);
    if (!draft) throw new DraftNotFoundError(knowledgeBase);
    const [live, rebuild] = await Promise.all([this.live(knowledgeBase), this.lastBuildFailed(knowledgeBase)]);
    const current = await this.upToDate(draft, live);
    if (current.conflicts.length) throw new DraftConflictError(knowledgeBase, current.conflicts);
    const plan = planImport(live.entries, current.entries, 'replace');
    return draftDiff({ ...withoutEntries(draft), basedOn: current.basedOn }, live, plan, rebuild);
  }

  /**
   * Makes the draft the live version (mode console), then drops it. Refused with KnowledgeChangedError when
   * someone published since the draft was started: its changes were made on entries that are no longer live.
   */
  async publish(knowledgeBase: string, by: string): Promise<Published & { plan: ImportPlan }> {
    const draft = await this.deps.drafts.get(knowledgeBase);
    if (!draft) throw new DraftNotFoundError(knowledgeBase);
    const live = await this.live(knowledgeBase);
    // What was published since the draft started joins it; an entry both changed is the editor's to settle.
    const current = await this.upToDate(draft, live);
    if (current.conflicts.length) throw new DraftConflictError(knowledgeBase, current.conflicts);
    const plan = planImport(live.entries, current.entries, 'replace');
    if (plan.entries.length === 0) throw new DraftNotPublishableError('empty');
    // Nothing changed is worth publishing only to build the index a failed publication left unbuilt.
    if (planChangesNothing(plan) && !(await this.lastBuildFailed(knowledgeBase)))
      throw new DraftNotPublishableError('unchanged');
    let published: Published;
    try {
      published = await publishEntries(this.deps, {
        knowledgeBase,
        basedOn: live.revision,
        entries: plan.entries,
        plan,
        by,
        source: '控制台草稿',
        mode: 'console',
      });
    } catch (error) {
      const recorded = await this.deps.repository.current(knowledgeBase);
      if (!recorded || recorded.revision === live.revision) throw error;
      // Recorded, not indexed: the draft goes on from what was recorded, so publishing it again builds the index.
      await this.rebase(knowledgeBase, recorded.revision);
      throw new IndexBuildFailedError(knowledgeBase, (error as Error).message);
    }
    await this.afterPublish(knowledgeBase, draft, published.version.id);
    return { ...published, plan };
  }

  /** Drops the draft; nothing reached askers. */
  async discard(knowledgeBase: string): Promise<void> {
    if (!(await this.deps.drafts.discard(knowledgeBase))) throw new DraftNotFoundError(knowledgeBase);
  }

  /**
   * The draft is live now: dropped, unless an editor saved it while it was being published; then it holds
   * what was published and their change, so it goes on from the new version.
   */
  private async afterPublish(knowledgeBase: string, published: KnowledgeDraftRecord, revision: number) {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const now = await this.deps.drafts.get(knowledgeBase);
      if (!now) return;
      if (now.edits === published.edits) {
        await this.deps.drafts.discard(knowledgeBase);
        return;
      }
      if (await this.deps.drafts.save({ ...now, basedOn: revision, edits: now.edits + 1 }, now.edits)) return;
    }
  }

  private async rebase(knowledgeBase: string, revision: number) {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const now = await this.deps.drafts.get(knowledgeBase);
      if (!now || (await this.deps.drafts.save({ ...now, basedOn: revision, edits: now.edits + 1 }, now.edits))) return;
    }
  }

  private async lastBuildFailed(knowledgeBase: string): Promise<boolean> {
    return (await this.deps.repository.versions(knowledgeBase, 1))[0]?.status === 'failed';
  }

  private async changeEntry(
    knowledgeBase: string,
    entryId: string,
    by: string,
    change: (entry: FaqEntry, entries: FaqEntry[]) => FaqEntry,
  ): Promise<FaqEntry> {
    let result: FaqEntry | undefined;
    await this.change(knowledgeBase, by, (entries) => {
      const at = entries.findIndex((e) => e.id === entryId);
      const entry = entries[at];
      if (!entry) throw new DraftEntryNotFoundError(knowledgeBase, entryId);
      result = change(entry, entries);
      return entries.map((e, i) => (i === at ? result! : e));
    });
    return result!;
  }

  /** Reads the draft (or starts one from the live entries), applies `change`, and saves it unless someone else did first. */
  private async change(knowledgeBase: string, by: string, change: (entries: FaqEntry[]) => FaqEntry[]) {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const existing = await this.deps.drafts.get(knowledgeBase);
      const at = this.now();
      const draft: KnowledgeDraftRecord = existing
        ? { ...existing, updatedBy: by, updatedAt: at, edits: existing.edits + 1 }
        : await this.started(knowledgeBase, by, at);
      // What was published since the draft was started joins it first, so a change is made on entries as they
      // are now; with a conflict pending, the draft stays on its revision until the editor settles it.
      if (existing) {
        const current = await this.upToDate(existing, await this.live(knowledgeBase));
        if (!current.conflicts.length) Object.assign(draft, { entries: current.entries, basedOn: current.basedOn });
      }
      draft.entries = change(structuredClone(draft.entries));
      if (await this.deps.drafts.save(draft, existing?.edits ?? null)) return draft;
    }
    throw new DraftBusyError(knowledgeBase);
  }

  /** The entries askers are answered from, as recorded. */
  private live(knowledgeBase: string): Promise<RecordedEntries> {
    return recordedEntries(this.deps.repository, this.deps.store, knowledgeBase);
  }

  /** The draft's entries with what was published since it started (rebaseDraft), and the revision that makes. */
  private async upToDate(
    draft: KnowledgeDraftRecord,
    live: RecordedEntries,
  ): Promise<{ entries: FaqEntry[]; basedOn: number | null; conflicts: { entryId: string; question: string }[] }> {
    if (draft.basedOn === live.revision) return { entries: draft.entries, basedOn: draft.basedOn, conflicts: [] };
    const rebased = rebaseDraft(
      draft.entries,
      await this.deps.changes.changesSince(draft.knowledgeBase, draft.basedOn),
    );
    return { ...rebased, basedOn: live.revision };
  }

  private async started(knowledgeBase: string, by: string, at: number): Promise<KnowledgeDraftRecord> {
    const live = await this.live(knowledgeBase);
    return {
      knowledgeBase,
      basedOn: live.revision,
      entries: live.entries,
      edits: 1,
      createdBy: by,
      createdAt: at,
      updatedBy: by,
      updatedAt: at,
    };
  }
}

function withoutEntries(draft: KnowledgeDraftRecord): Omit<KnowledgeDraftRecord, 'entries'> {
  const { entries: _entries, ...header } = draft;
  return header;
}
