import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EscalationSettings } from '@answerbridge/config';
import {
  PostgresFaqDrafts,
  PostgresKnowledgeRepository,
  PostgresLearnedPhrasings,
  openDatabase,
  type Pool,
} from '@answerbridge/database';
import {
  ingestKnowledgeBase,
  learnedPhrasingId,
  savedEntryFor,
  type FaqDraft,
  type FaqEntry,
  type LearnedPhrasing,
} from '@answerbridge/knowledge';
import { moveReviewQueueFromRedis } from '@answerbridge/pipeline';
import { RedisFaqDrafts, createRedis, type Redis } from '@answerbridge/redis';
import { FakeEmbedder, InMemoryVectorStore, createTestDatabase, type TestDatabase } from '@answerbridge/testing';

const DAY_MS = 86_400_000;

/**
 * Upgrading: the review queue that Redis kept (drafts, approved phrasings, approved saved entries) is moved into
 * PostgreSQL once at start, on real Redis and PostgreSQL; afterwards Redis holds none of it.
 */
describe('moving the review queue from Redis into PostgreSQL', () => {
  const prefix = `abtest-move-${randomUUID().slice(0, 8)}`;
  const config = { QUEUE_PREFIX: prefix, DATA_RETENTION_DAYS: 30 } as EscalationSettings;
  let redis: Redis;
  let database: TestDatabase;
  let pool: Pool;
  const store = new InMemoryVectorStore();
  const payday: FaqEntry = { id: 'payday', question: '几号发工资', similar: [], answer: '每月 10 日。', tags: [] };
  const saved = savedEntryFor({
    question: '股票期权怎么行权',
    answer: '在 HR 系统的「期权」页面申请。',
    provenance: { savedBy: 'agent1', savedAt: 1, approvedBy: 'admin', approvedAt: 2 },
  });
  const phrasing: LearnedPhrasing = {
    id: learnedPhrasingId('kb-hr', 'payday', '工资啥时候到账'),
    entryId: 'payday',
    text: '工资啥时候到账',
    source: 'picked-suggestion',
    savedBy: 'asker',
    savedAt: 3,
    approvedBy: 'admin',
    approvedAt: 4,
  };
  const draft = (id: string, extra: Partial<FaqDraft> = {}): FaqDraft => ({
    id,
    status: 'pending',
    knowledgeBase: 'kb-hr',
    botId: 'hr-bot',
    conversationId: 'wecom/hr-bot/alice',
    question: '年会在哪里',
    answer: '滨江会展中心。',
    savedBy: 'agent1',
    savedAt: Date.now(),
    ...extra,
  });
  const redisKeys = async () => (await redis.keys(`${prefix}:*`)).sort();

  beforeAll(async () => {
    redis = createRedis(inject('services').redisUrl, 'worker');
    database = await createTestDatabase(inject('services').postgresUrl);
    pool = await openDatabase(database.url);
    // The index as it was: the FAQ, the approved saved entry and phrasing already put into it at approval.
    const embedder = new FakeEmbedder();
    await ingestKnowledgeBase(store, embedder, 'kb-hr', [{ ...payday, similar: [phrasing.text] }, saved]);
    // The queue as the console and worker left it in Redis.
    const old = new RedisFaqDrafts<FaqDraft>(redis, prefix, DAY_MS);
    await old.create(draft('d-pending'));
    await old.create(draft('d-saved', { savedAt: 1 }));
    const approved = { ...draft('d-saved', { savedAt: 1 }), status: 'approved' as const, decidedBy: 'admin' };
    await old.transition('d-saved', ['pending'], approved, {
      keepForMs: DAY_MS,
      saveEntry: { knowledgeBase: 'kb-hr', entry: saved },
    });
    const learned = draft(phrasing.id, { kind: 'phrasing', source: 'picked-suggestion', entryId: 'payday' });
    await old.create(learned);
    await old.transition(
      phrasing.id,
      ['pending'],
      { ...learned, status: 'approved', decidedBy: 'admin' },
      {
        keepForMs: DAY_MS,
        savePhrasing: { knowledgeBase: 'kb-hr', phrasing },
      },
    );
    // A draft already in PostgreSQL (decided there since) is not overwritten by the older Redis copy.
    await old.create(draft('d-both'));
    const postgres = new PostgresFaqDrafts(pool, DAY_MS);
    await postgres.create({ ...draft('d-both'), status: 'rejected', decidedBy: 'editor1', decidedAt: 5 });
  });
  afterAll(async () => {
    const keys = await redisKeys();
    if (keys.length) await redis.del(...keys);
    await redis?.quit();
    await pool?.end();
    await database?.drop();
  });

  it('moves drafts, phrasings and saved entries in once, records them as entries, then deletes the Redis keys', async () => {
    expect(await redisKeys()).toEqual(
      [
        `${prefix}:faq-draft:d-both`,
        `${prefix}:faq-draft:d-pending`,
        `${prefix}:faq-draft:d-saved`,
        `${prefix}:faq-draft:${phrasing.id}`,
        `${prefix}:faq-drafts:pending`,
        `${prefix}:kb:kb-hr:learned-phrasings`,
        `${prefix}:kb:kb-hr:saved-entries`,
      ].sort(),
    );
    const moved = await moveReviewQueueFromRedis(config, redis, pool, { store });
    expect(moved).toMatchObject({ drafts: 3, learnedPhrasings: 1, publications: 1 });
    expect(await redisKeys()).toEqual([]);

    const drafts = new PostgresFaqDrafts(pool, DAY_MS);
    expect((await drafts.pending(10)).map((d) => d.id)).toEqual(['d-pending']);
    expect(await drafts.get('d-saved')).toMatchObject({ status: 'approved', decidedBy: 'admin' });
    expect(await drafts.get('d-both')).toMatchObject({ status: 'rejected', decidedBy: 'editor1' });
    expect(await drafts.hasLearnedPhrasing('kb-hr', phrasing.id)).toBe(true);
    expect(await new PostgresLearnedPhrasings(pool).list('kb-hr')).toEqual([phrasing]);

    const repository = new PostgresKnowledgeRepository(pool);
    const recorded = await repository.current('kb-hr');
    // (Recorded without kind: faq is what an entry is unless it says doc.)
    const { kind: _faq, ...savedAsRecorded } = saved;
    expect(recorded?.entries.find((e) => e.id === saved.id)).toEqual(savedAsRecorded);
    expect(recorded?.entries.find((e) => e.id === 'payday')?.similar).toEqual([phrasing.text]);
    expect((await repository.versions('kb-hr'))[0]).toMatchObject({ mode: 'console', status: 'published', number: 1 });

    // Once: a second start finds nothing to move and publishes nothing.
    expect(await moveReviewQueueFromRedis(config, redis, pool, { store })).toEqual({
      drafts: 0,
      learnedPhrasings: 0,
      publications: 0,
      keysDeleted: 0,
    });
    expect(await repository.versions('kb-hr')).toHaveLength(1);
  });
});
