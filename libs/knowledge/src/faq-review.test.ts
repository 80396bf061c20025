import { describe, expect, it } from 'vitest';
import { profileFingerprint, type Embedder, type VectorStore } from '@answerbridge/core';
import type { FaqEntry } from './faq-entry';
import { FaqDraftConflictError, FaqReview, type FaqDraft, type FaqDraftStatus, type FaqDraftStore } from './faq-review';

/** The store's contract in memory: a transition happens only from the statuses it names. */
class MemoryDrafts implements FaqDraftStore {
  readonly drafts = new Map<string, FaqDraft>();
  readonly saved: FaqEntry[] = [];
  async create(draft: FaqDraft) {
    this.drafts.set(draft.id, draft);
  }
  async get(id: string) {
    return this.drafts.get(id) ?? null;
  }
  async pending() {
    return [...this.drafts.values()].filter((d) => d.status === 'pending');
  }
  async transition(
    id: string,
    from: FaqDraftStatus[],
    to: FaqDraft,
    options: { saveEntry?: { knowledgeBase: string; entry: FaqEntry } } = {},
  ) {
    const current = this.drafts.get(id) ?? null;
    if (!current || !from.includes(current.status)) return { changed: false, current };
    this.drafts.set(id, to);
    if (options.saveEntry) this.saved.push(options.saveEntry.entry);
    return { changed: true, current: to };
  }
}

const embedder = {
  profile: { indexAs: 'passage', dimension: 2, batchSize: 8 },
  embed: async (texts: string[]) => texts.map(() => [0, 1]),
} as unknown as Embedder;

function vectorStore(fail: boolean) {
  const inserted: { meta: Record<string, unknown> }[][] = [];
  const store = {
    listVersions: async () => {
      if (fail) throw new Error('milvus unavailable');
      return [
        {
          knowledgeBase: 'kb',
          collection: 'kb_v1',
          version: 1,
          profile: profileFingerprint(embedder.profile),
          createdAt: '',
          active: true,
        },
      ];
    },
    insert: async (_c: string, _kb: string, rows: { meta: Record<string, unknown> }[]) => void inserted.push(rows),
  } as unknown as VectorStore;
  return { store, inserted };
}

function review(fail = false) {
  const drafts = new MemoryDrafts();
  const { store, inserted } = vectorStore(fail);
  let t = 1000;
  const r = new FaqReview({ store, embedder, drafts, keepDecidedForMs: 1, now: () => t++ });
  return { r, drafts, inserted };
}

const input = {
  knowledgeBase: 'kb',
  botId: 'bot',
  conversationId: 'wecom/bot/u1',
  question: ' 怎么报销？ ',
  answer: '在 OA 提交。',
  savedBy: 'agent1',
};

describe('FaqReview', () => {
  it('keeps a save pending until approved, then records who saved and approved it with the live rows and the saved entry', async () => {
    const { r, drafts, inserted } = review();
    const draft = await r.submit(input);
    expect(draft).toMatchObject({ status: 'pending', question: '怎么报销？', savedBy: 'agent1' });
    expect(inserted).toHaveLength(0);
    const { draft: approved, entry } = await r.approve(draft.id, 'admin');
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'admin', entryId: entry.id });
    expect(inserted[0]?.[0]?.meta.provenance).toMatchObject({ savedBy: 'agent1', approvedBy: 'admin' });
    // The conversation's id names the asker; what is kept for good does not carry it.
    expect(JSON.stringify(inserted)).not.toContain('wecom/bot/u1');
    expect(drafts.saved).toEqual([entry]);
    await expect(r.approve(draft.id, 'admin')).rejects.toBeInstanceOf(FaqDraftConflictError);
    await expect(r.reject(draft.id, 'admin')).rejects.toBeInstanceOf(FaqDraftConflictError);
  });

  it('puts the draft back to pending when going live fails, so it can be approved again', async () => {
    const { r, drafts } = review(true);
    const draft = await r.submit(input);
    await expect(r.approve(draft.id, 'admin')).rejects.toThrow('milvus unavailable');
    expect(await drafts.get(draft.id)).toEqual(draft);
    expect(drafts.saved).toEqual([]);
  });

  it('lets one of two concurrent approvals put the draft live, once', async () => {
    const { r, inserted, drafts } = review();
    const draft = await r.submit(input);
    const results = await Promise.allSettled([r.approve(draft.id, 'admin'), r.approve(draft.id, 'admin2')]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((x) => x.status === 'rejected')).toMatchObject({
      reason: expect.any(FaqDraftConflictError) as unknown,
    });
    expect(inserted).toHaveLength(1);
    expect(drafts.saved).toHaveLength(1);
  });

  it('takes back a draft left approving by a process that died, once its lease has passed, and not before', async () => {
    const { r, drafts, inserted } = review();
    const draft = await r.submit(input);
    drafts.drafts.set(draft.id, { ...draft, status: 'approving', decidedBy: 'admin', decidedAt: 1 });
    const fresh = review();
    await fresh.drafts.create({ ...draft, status: 'approving', decidedBy: 'admin', decidedAt: 999 });
    await expect(fresh.r.approve(draft.id, 'admin2')).rejects.toBeInstanceOf(FaqDraftConflictError);
    expect(fresh.inserted).toHaveLength(0);
    // The first clock starts at 1000: a draft claimed at t=1 is 5 minutes stale only after t > 300001.
    const late = new FaqReview({
      store: vectorStore(false).store,
      embedder,
      drafts,
      keepDecidedForMs: 1,
      now: () => 400_000,
    });
    expect((await late.approve(draft.id, 'admin2')).draft).toMatchObject({ status: 'approved', decidedBy: 'admin2' });
    expect(inserted).toHaveLength(0);
  });

  it('never approves a rejected draft', async () => {
    const { r, inserted } = review();
    const draft = await r.submit(input);
    expect(await r.reject(draft.id, 'admin', '重复')).toMatchObject({
      status: 'rejected',
      decidedBy: 'admin',
      rejectReason: '重复',
    });
    await expect(r.approve(draft.id, 'admin')).rejects.toThrow(/is rejected \(by admin\)/);
    expect(inserted).toHaveLength(0);
  });
});
