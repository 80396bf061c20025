import { randomUUID } from 'node:crypto';
import {
  AnswerbridgeError,
  ConflictError,
  NotFoundError,
  type Embedder,
  type FaqDraft,
  type FaqDraftStatus,
  type KnowledgeRepository,
  type LearnedPhrasing,
  type LearningSource,
  type VectorStore,
} from '@answerbridge/core';

export type { FaqDraft, FaqDraftStatus } from '@answerbridge/core';
import { addEntryToActiveVersion, savedEntryFor } from './add-entry';
import type { FaqEntry } from './faq-entry';
import {
  LearnedEntryGoneError,
  MAX_LEARNED_LENGTH,
  addPhrasingToActiveVersion,
  learnedPhrasingId,
} from './learned-phrasing';
import { recordAdditions } from './record-approval';

/**
 * pending: waiting for an editor, invisible to the bot. approving: an editor approved it and it is being
 * put live (a crash here leaves it approving; approving again finishes the job). approved: live and kept by
 * every later ingest. rejected: never live.
 */

/** An approval that has not finished after this long is taken to have died with its process. */
const APPROVE_LEASE_MS = 5 * 60_000;

/** Where drafts live. Every status change is one atomic step, so two editors deciding at once cannot both win. */
export interface FaqDraftStore {
  /** Stores a new draft; false (and nothing changes) when a draft with its id is already there. */
  create(draft: FaqDraft): Promise<boolean>;
  get(id: string): Promise<FaqDraft | null>;
  /** Drafts waiting for a decision, oldest first. */
  pending(limit: number): Promise<FaqDraft[]>;
  /**
   * When the draft's status is one of `from`, replaces it with `to`; decided drafts are kept for
   * `keepForMs`, and `saveEntry` / `savePhrasing` is recorded (in the same step) among what every ingest
   * keeps (a store beside a system of record keeps the phrasing; the entry is recorded there by its
   * publication, see FaqReviewDeps.repository). Returns whether it changed and the draft as it is now.
   */
  transition(
    id: string,
    from: FaqDraftStatus[],
    to: FaqDraft,
    options?: {
      keepForMs?: number;
      saveEntry?: { knowledgeBase: string; entry: FaqEntry };
      savePhrasing?: { knowledgeBase: string; phrasing: LearnedPhrasing };
    },
  ): Promise<{ changed: boolean; current: FaqDraft | null }>;
  /** Whether a phrasing with this id is live (approved and kept by every ingest). */
  hasLearnedPhrasing(knowledgeBase: string, id: string): Promise<boolean>;
}

export class FaqDraftNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('FAQ_DRAFT.NOT_FOUND', `no FAQ draft ${id}`);
  }
}

export class FaqDraftConflictError extends ConflictError {
  constructor(
    readonly draft: FaqDraft,
    wanted: 'approve' | 'reject',
  ) {
    super(
      'FAQ_DRAFT.CONFLICT',
      `cannot ${wanted} draft ${draft.id}: it is ${draft.status}${draft.decidedBy ? ` (by ${draft.decidedBy})` : ''}`,
    );
  }
}

export interface FaqReviewDeps {
  store: VectorStore;
  embedder: Embedder;
  drafts: FaqDraftStore;
  /**
   * The system of record: what an editor approves becomes part of the recorded entries (a publication, mode
   * console, by the approver), so every later ingest keeps it. Without one, only the draft store keeps it.
   */
  repository?: KnowledgeRepository;
  /** How long a decided draft is kept (what people wrote: the retention setting). */
  keepDecidedForMs: number;
  now?: () => number;
  newId?: () => string;
}

/**
 * The review of what agents save from conversations: a save is a draft the bot cannot see; an editor
 * approves it (then it is live at once and kept by every later ingest, naming who saved and who
 * approved it) or rejects it.
 */
export class FaqReview {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly deps: FaqReviewDeps) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => `d-${randomUUID()}`);
  }

  async submit(input: {
    knowledgeBase: string;
    botId: string;
    conversationId: string;
    question: string;
    answer: string;
    savedBy: string;
  }): Promise<FaqDraft> {
    const draft: FaqDraft = {
      id: this.newId(),
      status: 'pending',
      ...input,
      question: input.question.trim(),
      answer: input.answer.trim(),
      savedAt: this.now(),
    };
    await this.deps.drafts.create(draft);
    return draft;
  }

  get(id: string): Promise<FaqDraft | null> {
    return this.deps.drafts.get(id);
  }

  pending(limit = 200): Promise<FaqDraft[]> {
    return this.deps.drafts.pending(limit);
  }

  /**
   * Claims the draft (pending → approving: one editor wins against a concurrent approve or reject), puts it
   * live, then records it approved together with the saved entry. If going live fails the draft is pending
   * again; one left approving by a process that died is put back to pending once APPROVE_LEASE_MS has passed.
   */
  async approve(id: string, approvedBy: string): Promise<{ draft: FaqDraft; entry: FaqEntry }> {
    let draft = await this.mustGet(id);
    if (draft.status === 'approving' && this.now() - (draft.decidedAt ?? 0) > APPROVE_LEASE_MS) {
      const { decidedBy: _by, decidedAt: _at, ...rest } = draft;
      const released = await this.deps.drafts.transition(id, ['approving'], { ...rest, status: 'pending' });
      if (!released.changed) throw new FaqDraftConflictError(released.current ?? draft, 'approve');
      draft = { ...rest, status: 'pending' };
    }
    const decidedAt = this.now();
    const approving: FaqDraft = { ...draft, status: 'approving', decidedBy: approvedBy, decidedAt };
    const claimed = await this.deps.drafts.transition(id, ['pending'], approving);
    if (!claimed.changed) throw new FaqDraftConflictError(claimed.current ?? draft, 'approve');
    if (draft.kind === 'phrasing') return this.putPhrasingLive(draft, approving);
    const entry = savedEntryFor({
      question: draft.question,
      answer: draft.answer,
      // Not the conversation: its id names the asker, and an entry is kept (and reindexed) for good.
      provenance: { savedBy: draft.savedBy, savedAt: draft.savedAt, approvedBy, approvedAt: decidedAt },
    });
    try {
      await addEntryToActiveVersion(this.deps.store, this.deps.embedder, draft.knowledgeBase, entry);
      await this.record(draft, approvedBy, { entries: [entry], phrasings: [] });
    } catch (error) {
      const { decidedBy: _by, decidedAt: _at, ...pending } = draft;
      await this.deps.drafts.transition(id, ['approving'], { ...pending, status: 'pending' });
      throw error;
    }
    const approved: FaqDraft = { ...approving, status: 'approved', entryId: entry.id };
    const recorded = await this.deps.drafts.transition(id, ['approving'], approved, {
      keepForMs: this.deps.keepDecidedForMs,
      saveEntry: { knowledgeBase: draft.knowledgeBase, entry },
    });
    // Only a lease that ran out while this approval was still going could take it from us: say so, loudly.
    if (!recorded.changed) throw new FaqDraftConflictError(recorded.current ?? approving, 'approve');
    return { draft: approved, entry };
  }

  /**
   * Proposes an asker's wording as one more similar question of an entry, for an editor to approve. The
   * same wording of the same entry is one draft however often it is learned, and none once it is live.
   */
  async proposePhrasing(input: {
    knowledgeBase: string;
    botId: string;
    conversationId: string;
    entryId: string;
    question: string;
    /** The entry's answer as the asker saw it, for the editor to read. */
    answer: string;
    source: LearningSource;
    savedBy: string;
  }): Promise<{ outcome: 'proposed' | 'already-proposed' | 'already-live' | 'not-learnable'; draft: FaqDraft | null }> {
    const question = input.question.trim();
    if (!question || question.length > MAX_LEARNED_LENGTH) return { outcome: 'not-learnable', draft: null };
    const id = learnedPhrasingId(input.knowledgeBase, input.entryId, question);
    if (await this.deps.drafts.hasLearnedPhrasing(input.knowledgeBase, id))
      return { outcome: 'already-live', draft: null };
    const draft: FaqDraft = {
      id,
      kind: 'phrasing',
      status: 'pending',
      ...input,
      question,
      answer: input.answer.trim(),
      savedAt: this.now(),
    };
    if (await this.deps.drafts.create(draft)) return { outcome: 'proposed', draft };
    return { outcome: 'already-proposed', draft: await this.deps.drafts.get(id) };
  }

  /** The second half of approving a phrasing: searchable at once, then recorded so every ingest keeps it. */
  private async putPhrasingLive(draft: FaqDraft, approving: FaqDraft): Promise<{ draft: FaqDraft; entry: FaqEntry }> {
    const { decidedBy: _by, decidedAt: _at, ...pending } = draft;
    if (!draft.entryId) {
      await this.deps.drafts.transition(draft.id, ['approving'], { ...pending, status: 'pending' });
      throw new AnswerbridgeError('FAQ_DRAFT.BAD_DRAFT', `phrasing draft ${draft.id} names no entry`, false);
    }
    const phrasing: LearnedPhrasing = {
      id: learnedPhrasingId(draft.knowledgeBase, draft.entryId, draft.question),
      entryId: draft.entryId,
      text: draft.question,
      source: draft.source ?? 'picked-suggestion',
      savedBy: draft.savedBy,
      savedAt: draft.savedAt,
      approvedBy: approving.decidedBy ?? '',
      approvedAt: approving.decidedAt ?? this.now(),
    };
    let entry: FaqEntry;
    try {
      entry = await addPhrasingToActiveVersion(this.deps.store, this.deps.embedder, draft.knowledgeBase, phrasing);
      await this.record(draft, phrasing.approvedBy, { entries: [], phrasings: [phrasing] });
    } catch (error) {
      // An entry that is gone will not come back for this draft: set it aside instead of leaving it pending.
      const back: FaqDraft =
        error instanceof LearnedEntryGoneError
          ? { ...approving, status: 'rejected', rejectReason: 'entry-gone' }
          : { ...pending, status: 'pending' };
      await this.deps.drafts.transition(draft.id, ['approving'], back, {
        keepForMs: back.status === 'rejected' ? this.deps.keepDecidedForMs : 0,
      });
      throw error;
    }
    const approved: FaqDraft = { ...approving, status: 'approved' };
    const recorded = await this.deps.drafts.transition(draft.id, ['approving'], approved, {
      keepForMs: this.deps.keepDecidedForMs,
      savePhrasing: { knowledgeBase: draft.knowledgeBase, phrasing },
    });
    if (!recorded.changed) throw new FaqDraftConflictError(recorded.current ?? approving, 'approve');
    return { draft: approved, entry };
  }

  /**
   * What was approved joins the recorded entries (after it is live in the index: the record is what every later
   * index is built from, so it never holds what the bot was not given). When this fails the draft goes back to
   * pending; what the index got meanwhile goes with its next rebuild.
   */
  private async record(
    draft: FaqDraft,
    by: string,
    additions: { entries: FaqEntry[]; phrasings: LearnedPhrasing[] },
  ): Promise<void> {
    if (!this.deps.repository) return;
    await recordAdditions({ repository: this.deps.repository, store: this.deps.store }, draft.knowledgeBase, {
      ...additions,
      replaceEntries: true,
      by,
      source: `审核通过 ${draft.id}`,
    });
  }

  async reject(id: string, rejectedBy: string, reason?: string): Promise<FaqDraft> {
    const draft = await this.mustGet(id);
    const rejected: FaqDraft = {
      ...draft,
      status: 'rejected',
      decidedBy: rejectedBy,
      decidedAt: this.now(),
      ...(reason ? { rejectReason: reason } : {}),
    };
    const done = await this.deps.drafts.transition(id, ['pending'], rejected, {
      keepForMs: this.deps.keepDecidedForMs,
    });
    if (!done.changed) throw new FaqDraftConflictError(done.current ?? draft, 'reject');
    return rejected;
  }

  private async mustGet(id: string): Promise<FaqDraft> {
    const draft = await this.deps.drafts.get(id);
    if (!draft) throw new FaqDraftNotFoundError(id);
    return draft;
  }
}
