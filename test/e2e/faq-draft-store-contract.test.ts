import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresFaqDrafts, PostgresLearnedPhrasings, openDatabase, type Pool } from '@answerbridge/database';
import { learnedPhrasingId, type FaqDraft, type FaqDraftStore, type LearnedPhrasing } from '@answerbridge/knowledge';
import { RedisFaqDrafts, RedisLearnedPhrasings, createRedis, type Redis } from '@answerbridge/redis';
import { createTestDatabase, type TestDatabase } from '@answerbridge/testing';

const DAY_MS = 86_400_000;

interface Subject {
  store: FaqDraftStore;
  /** The approved phrasings of a knowledge base, as every later ingest reads them. */
  learned(knowledgeBase: string): Promise<LearnedPhrasing[]>;
  close(): Promise<void>;
}

const entryDraft = (id: string, savedAt: number, extra: Partial<FaqDraft> = {}): FaqDraft => ({
  id,
  status: 'pending',
  knowledgeBase: 'kb-hr',
  botId: 'hr-bot',
  conversationId: `wecom/hr-bot/asker-${id}`,
  question: `问题 ${id}`,
  answer: `答案 ${id}`,
  savedBy: 'agent1',
  savedAt,
  ...extra,
});

const phrasingDraft = (question: string, savedAt: number): FaqDraft => ({
  ...entryDraft(learnedPhrasingId('kb-hr', 'payday', question), savedAt),
  kind: 'phrasing',
  source: 'picked-suggestion',
  entryId: 'payday',
  question,
  answer: '每月 10 日发工资。',
  savedBy: 'asker',
});

/**
 * The FaqDraftStore port's promises (libs/knowledge/src/faq-review.ts), kept by the Redis adapter that held the
 * review queue before and by the PostgreSQL one that holds it now, each on the real server.
 */
function faqDraftStoreContract(name: string, open: () => Promise<Subject>) {
  describe(`FaqDraftStore: ${name}`, () => {
    let s: Subject;
    const run = randomUUID().slice(0, 8);
    const id = (n: string) => `d-${run}-${n}`;
    beforeAll(async () => {
      s = await open();
    });
    afterAll(async () => {
      await s?.close();
    });

    it('stores a draft once under its id and gives it back exactly as it was', async () => {
      const first = entryDraft(id('a'), 1_000);
      expect(await s.store.create(first)).toBe(true);
      expect(await s.store.create({ ...first, answer: '别的答案' })).toBe(false);
      expect(await s.store.get(first.id)).toEqual(first);
      const phrasing = phrasingDraft(`工资几号发 ${run}`, 1_001);
      expect(await s.store.create(phrasing)).toBe(true);
      expect(await s.store.get(phrasing.id)).toEqual(phrasing);
      expect(await s.store.get(id('nope'))).toBeNull();
    });

    it('lists the pending drafts oldest first, without those claimed or decided', async () => {
      for (const [n, at] of [
        ['p3', 5_003],
        ['p1', 5_001],
        ['p2', 5_002],
      ] as const)
        await s.store.create(entryDraft(id(n), at));
      const ours = (list: FaqDraft[]) => list.filter((d) => d.id.startsWith(`d-${run}-p`)).map((d) => d.id);
      expect(ours(await s.store.pending(100))).toEqual([id('p1'), id('p2'), id('p3')]);
      const claimed = { ...entryDraft(id('p2'), 5_002), status: 'approving' as const, decidedBy: 'editor1' };
      expect((await s.store.transition(id('p2'), ['pending'], claimed)).changed).toBe(true);
      expect(ours(await s.store.pending(100))).toEqual([id('p1'), id('p3')]);
      expect(await s.store.get(id('p2'))).toEqual(claimed);
    });

    it('changes a draft only from the statuses named: of two approvers at once, one wins', async () => {
      const draft = entryDraft(id('race'), 7_000);
      await s.store.create(draft);
      const claim = (by: string) =>
        s.store.transition(draft.id, ['pending'], { ...draft, status: 'approving', decidedBy: by, decidedAt: 7_001 });
      const [a, b] = await Promise.all([claim('editor1'), claim('editor2')]);
      expect([a.changed, b.changed].sort()).toEqual([false, true]);
      const winner = a.changed ? a : b;
      const loser = a.changed ? b : a;
      expect(loser.current).toEqual(winner.current);
      expect(loser.current?.status).toBe('approving');
      // A reject from pending finds it claimed; the unknown id is no draft at all.
      const reject = await s.store.transition(draft.id, ['pending'], { ...draft, status: 'rejected' });
      expect(reject).toEqual({ changed: false, current: winner.current });
      expect(await s.store.transition(id('ghost'), ['pending'], draft)).toEqual({ changed: false, current: null });
    });

    it('records an approved phrasing in the same step as the decision, and nothing when the step is refused', async () => {
      const draft = phrasingDraft(`发薪日是哪天 ${run}`, 9_000);
      await s.store.create(draft);
      const phrasing: LearnedPhrasing = {
        id: draft.id,
        entryId: 'payday',
        text: draft.question,
        source: 'picked-suggestion',
        savedBy: 'asker',
        savedAt: 9_000,
        approvedBy: 'editor1',
        approvedAt: 9_001,
      };
      const approved = { ...draft, status: 'approved' as const, decidedBy: 'editor1', decidedAt: 9_001 };
      // From a status it is not in: refused, and the phrasing is not live.
      const refused = await s.store.transition(draft.id, ['approving'], approved, {
        keepForMs: DAY_MS,
        savePhrasing: { knowledgeBase: 'kb-hr', phrasing },
      });
      expect(refused.changed).toBe(false);
      expect(await s.store.hasLearnedPhrasing('kb-hr', phrasing.id)).toBe(false);

      await s.store.transition(draft.id, ['pending'], { ...approved, status: 'approving' });
      const done = await s.store.transition(draft.id, ['approving'], approved, {
        keepForMs: DAY_MS,
        savePhrasing: { knowledgeBase: 'kb-hr', phrasing },
      });
      expect(done).toEqual({ changed: true, current: approved });
      expect(await s.store.hasLearnedPhrasing('kb-hr', phrasing.id)).toBe(true);
      expect(await s.store.hasLearnedPhrasing('kb-other', phrasing.id)).toBe(false);
      expect((await s.learned('kb-hr')).find((p) => p.id === phrasing.id)).toEqual(phrasing);
      // A decided draft is kept (for the retention) and stays as decided.
      expect(await s.store.get(draft.id)).toEqual(approved);
    });

    it('keeps a rejected draft with who rejected it and why', async () => {
      const draft = entryDraft(id('no'), 11_000);
      await s.store.create(draft);
      const rejected: FaqDraft = {
        ...draft,
        status: 'rejected',
        decidedBy: 'editor1',
        decidedAt: 11_001,
        rejectReason: '不符合公司规定',
      };
      expect((await s.store.transition(draft.id, ['pending'], rejected, { keepForMs: DAY_MS })).changed).toBe(true);
      expect(await s.store.get(draft.id)).toEqual(rejected);
    });
  });
}

const services = () => inject('services');

faqDraftStoreContract('RedisFaqDrafts (before PostgreSQL held the queue)', async () => {
  const redis: Redis = createRedis(services().redisUrl, 'worker');
  const prefix = `abtest-drafts-${randomUUID().slice(0, 8)}`;
  return {
    store: new RedisFaqDrafts<FaqDraft>(redis, prefix, DAY_MS),
    learned: (kb) => new RedisLearnedPhrasings<LearnedPhrasing>(redis, prefix).list(kb),
    async close() {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
});

faqDraftStoreContract('PostgresFaqDrafts', async () => {
  const database = await createTestDatabase(services().postgresUrl);
  const pool = await openDatabase(database.url);
  return {
    store: new PostgresFaqDrafts(pool, DAY_MS),
    learned: (kb) => new PostgresLearnedPhrasings(pool).list(kb),
    async close() {
      await pool.end();
      await database.drop();
    },
  };
});

/** What only the PostgreSQL store has to do itself (Redis expires keys on its own): the retention and erasure. */
describe('PostgresFaqDrafts: retention and erasure', () => {
  let database: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    database = await createTestDatabase(services().postgresUrl);
    pool = await openDatabase(database.url);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('treats a draft past its time as gone, lets its id be used again, and the sweep deletes it', async () => {
    const expired = new PostgresFaqDrafts(pool, 0);
    const draft = entryDraft('d-old', 1);
    expect(await expired.create(draft)).toBe(true);
    expect(await expired.get(draft.id)).toBeNull();
    expect(await expired.pending(10)).toEqual([]);
    expect(await expired.transition(draft.id, ['pending'], { ...draft, status: 'rejected' })).toEqual({
      changed: false,
      current: null,
    });
    expect(await expired.applyRetention()).toBe(1);
    const store = new PostgresFaqDrafts(pool, DAY_MS);
    await expired.create(draft);
    expect(await store.create({ ...draft, answer: '新的' })).toBe(true);
    expect((await store.get(draft.id))?.answer).toBe('新的');
    expect(await store.applyRetention()).toBe(0);
  });

  it("erases the drafts of one person's conversations (direct and in groups), and nobody else's", async () => {
    const store = new PostgresFaqDrafts(pool, DAY_MS);
    const conversations = ['wecom/b/alice', 'wecom/b/g1/alice', 'wecom/b/bob', 'wecom/b/xalice', 'dingtalk/b/alice'];
    for (const [i, conversationId] of conversations.entries())
      await store.create(entryDraft(`d-erase-${i}`, 20_000 + i, { botId: 'b', conversationId }));
    expect(await store.erase({ channel: 'wecom', botId: 'b', senderId: 'alice' })).toBe(2);
    const left = await pool.query<{ conversation_id: string }>(
      `SELECT conversation_id FROM faq_drafts WHERE id LIKE 'd-erase-%' ORDER BY id`,
    );
    expect(left.rows.map((r) => r.conversation_id)).toEqual(['wecom/b/bob', 'wecom/b/xalice', 'dingtalk/b/alice']);
    expect(await store.erase({ channel: 'wecom', botId: 'b', senderId: 'alice' })).toBe(0);
  });
});
