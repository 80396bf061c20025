import { describe, expect, it } from 'vitest';
import { profileFingerprint, type Embedder, type VectorStore } from '@answerbridge/core';
import type { FaqEntry } from './faq-entry';
import { FaqDraftConflictError, FaqReview, type FaqDraft, type FaqDraftStatus, type FaqDraftStore } from './faq-review';
import { LearnedEntryGoneError, type LearnedPhrasing } from './learned-phrasing';
import { FakeEmbedder, InMemoryKnowledgeRepository, InMemoryVectorStore } from '@answerbridge/testing';
import { ingestKnowledgeBase } from './ingest-knowledge-base';

/** The store's contract in memory: a transition happens only from the statuses it names. */
class MemoryDrafts implements FaqDraftStore {
  readonly drafts = new Map<string, FaqDraft>();
  readonly saved: FaqEntry[] = [];
  readonly learned = new Map<string, LearnedPhrasing>();
  async create(draft: FaqDraft) {
    if (this.drafts.has(draft.id)) return false;
    this.drafts.set(draft.id, draft);
    return true;
  }
  async hasLearnedPhrasing(_kb: string, id: string) {
    return this.learned.has(id);
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
    options: {
      saveEntry?: { knowledgeBase: string; entry: FaqEntry };
      savePhrasing?: { knowledgeBase: string; phrasing: LearnedPhrasing };
    } = {},
  ) {
    const current = this.drafts.get(id) ?? null;
    if (!current || !from.includes(current.status)) return { changed: false, current };
    this.drafts.set(id, to);
    if (options.saveEntry) this.saved.push(options.saveEntry.entry);
    if (options.savePhrasing) this.learned.set(options.savePhrasing.phrasing.id, options.savePhrasing.phrasing);
    return { changed: true, current: to };
  }
}

const embedder = {
  profile: { indexAs: 'passage', dimension: 2, batchSize: 8 },
  embed: async (texts: string[]) => texts.map(() => [0, 1]),
} as unknown as Embedder;

/** The live rows of entry e1: its canonical question and one similar question. */
const liveRows = [
  {
    entryId: 'e1',
    text: '怎么报销',
    answer: '在 OA 提交。',
    meta: { canonical: true, question: '怎么报销', tags: [] },
  },
  {
    entryId: 'e1',
    text: '报销流程',
    answer: '在 OA 提交。',
    meta: { canonical: false, question: '怎么报销', tags: [] },
  },
];

function vectorStore(fail: boolean) {
  const inserted: { pk?: string; text?: string; answer?: string; meta: Record<string, unknown> }[][] = [];
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
    readEntry: async (_c: string, _kb: string, entryId: string) => liveRows.filter((r) => r.entryId === entryId),
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

  describe('learned phrasings', () => {
    const pick = {
      knowledgeBase: 'kb',
      botId: 'bot',
      conversationId: 'wecom/bot/u1',
      entryId: 'e1',
      question: ' 发票丢了还能报销吗 ',
      answer: '旧答案',
      source: 'picked-suggestion' as const,
      savedBy: 'asker',
    };

    it("proposes an asker's wording once, puts it live as a row of the entry with the live answer, and records it for ingests", async () => {
      const { r, drafts, inserted } = review();
      const first = await r.proposePhrasing(pick);
      expect(first.outcome).toBe('proposed');
      expect(first.draft).toMatchObject({
        kind: 'phrasing',
        status: 'pending',
        entryId: 'e1',
        question: '发票丢了还能报销吗',
      });
      // The same words (up to case, width and spacing) learned again are the same draft.
      expect((await r.proposePhrasing({ ...pick, question: '发票丢了还能报销吗  ' })).outcome).toBe('already-proposed');
      const id = first.draft?.id ?? '';
      const { draft, entry } = await r.approve(id, 'editor');
      expect(draft).toMatchObject({ status: 'approved', decidedBy: 'editor' });
      expect(entry).toMatchObject({ id: 'e1', question: '怎么报销', similar: ['报销流程', '发票丢了还能报销吗'] });
      expect(inserted[0]?.[0]).toMatchObject({
        text: '发票丢了还能报销吗',
        answer: '在 OA 提交。',
        meta: { canonical: false, learned: true },
      });
      expect(inserted[0]?.[0]?.pk).toBe(`e1#${id}`);
      expect([...drafts.learned.values()]).toMatchObject([
        { entryId: 'e1', text: '发票丢了还能报销吗', approvedBy: 'editor' },
      ]);
      expect(JSON.stringify([...drafts.learned.values()])).not.toContain('wecom/bot/u1');
      // Once live, learning it again proposes nothing.
      expect((await r.proposePhrasing(pick)).outcome).toBe('already-live');
    });

    it('adds no row for a wording the entry already has, and learns nothing from an empty or overlong message', async () => {
      const { r, inserted } = review();
      const same = await r.proposePhrasing({ ...pick, question: '报销流程' });
      await r.approve(same.draft?.id ?? '', 'editor');
      expect(inserted).toHaveLength(0);
      expect((await r.proposePhrasing({ ...pick, question: '   ' })).outcome).toBe('not-learnable');
      expect((await r.proposePhrasing({ ...pick, question: '长'.repeat(201) })).outcome).toBe('not-learnable');
    });

    it('sets aside a phrasing whose entry is gone, saying why', async () => {
      const { r, drafts, inserted } = review();
      const gone = await r.proposePhrasing({ ...pick, entryId: 'deleted' });
      await expect(r.approve(gone.draft?.id ?? '', 'editor')).rejects.toBeInstanceOf(LearnedEntryGoneError);
      expect(await drafts.get(gone.draft?.id ?? '')).toMatchObject({ status: 'rejected', rejectReason: 'entry-gone' });
      expect(inserted).toHaveLength(0);
      expect(drafts.learned.size).toBe(0);
    });
  });

  describe('with a system of record', () => {
    async function recorded(failRecording = false) {
      const store = new InMemoryVectorStore();
      const fake = new FakeEmbedder();
      await ingestKnowledgeBase(store, fake, 'kb', [
        { id: 'e1', question: '怎么报销', similar: [], answer: '在 OA 提交。', tags: [] },
      ]);
      const repository = new InMemoryKnowledgeRepository();
      if (failRecording) repository.publish = () => Promise.reject(new Error('database unavailable'));
      const drafts = new MemoryDrafts();
      let t = 1000;
      const r = new FaqReview({ store, embedder: fake, drafts, repository, keepDecidedForMs: 1, now: () => t++ });
      return { r, drafts, repository };
    }

    it('records an approved entry and an approved phrasing as console publications by the approver', async () => {
      const { r, repository } = await recorded();
      const draft = await r.submit({ ...input, question: '股票期权怎么行权', answer: '在 HR 系统申请。' });
      const { entry } = await r.approve(draft.id, 'editor1');
      const phrasing = await r.proposePhrasing({
        ...input,
        entryId: 'e1',
        question: '发票丢了还能报销吗',
        source: 'agent-link',
      });
      await r.approve(phrasing.draft!.id, 'editor2');
      expect(repository.published.map((v) => [v.mode, v.publishedBy, v.source, v.added, v.changed])).toEqual([
        ['console', 'editor1', `审核通过 ${draft.id}`, 1, 0],
        ['console', 'editor2', `审核通过 ${phrasing.draft!.id}`, 0, 1],
      ]);
      const entries = (await repository.current('kb'))!.entries;
      expect(entries.find((e) => e.id === entry.id)).toEqual(entry);
      expect(entries.find((e) => e.id === 'e1')?.similar).toEqual(['发票丢了还能报销吗']);
    });

    it('puts the draft back to pending when recording it fails', async () => {
      const { r, drafts } = await recorded(true);
      const draft = await r.submit(input);
      await expect(r.approve(draft.id, 'editor1')).rejects.toThrow('database unavailable');
      expect(await drafts.get(draft.id)).toEqual(draft);
      expect(drafts.saved).toEqual([]);
    });
  });
});
