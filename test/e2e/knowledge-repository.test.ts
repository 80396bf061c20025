import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KnowledgeChangedError, type KnowledgeEntryRecord, type KnowledgePublication } from '@answerbridge/core';
import { PostgresKnowledgeRepository, openDatabase, type Pool } from '@answerbridge/database';
import { createTestDatabase, type TestDatabase } from '@answerbridge/testing';

const entry = (id: string, answer: string, extra: Partial<KnowledgeEntryRecord> = {}): KnowledgeEntryRecord => ({
  id,
  question: `问题 ${id}`,
  similar: [`${id} 的另一种问法`],
  answer,
  tags: ['t'],
  ...extra,
});

/** The PostgreSQL adapter of the KnowledgeRepository port, on real PostgreSQL. */
describe('knowledge entries in PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let repo: PostgresKnowledgeRepository;
  const publication = (
    p: Partial<KnowledgePublication> & Pick<KnowledgePublication, 'entries'>,
  ): KnowledgePublication => ({
    knowledgeBase: 'hr',
    added: [],
    changed: [],
    removed: [],
    by: 'ops',
    source: 'test',
    mode: 'upsert',
    basedOn: null,
    ...p,
  });

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').postgresUrl);
    pool = await openDatabase(database.url);
    repo = new PostgresKnowledgeRepository(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('has nothing for a knowledge base never published, then the entries as published, in order', async () => {
    expect(await repo.current('hr')).toBeNull();
    const a = entry('a', '答案 A', {
      kind: 'doc',
      category: '制度',
      provenance: { savedBy: 'agent1', savedAt: 1, approvedBy: 'admin', approvedAt: 2 },
    });
    const b = entry('b', '答案 B');
    const v = await repo.publish(publication({ entries: [b, a], added: [b, a] }));
    expect(v).toMatchObject({ status: 'building', entryCount: 2, added: 2, publishedBy: 'ops' });
    await repo.markBuilt(v.id, { number: 7, collection: 'kb_hr_v7' });
    const current = await repo.current('hr');
    expect(current).toEqual({ entries: [b, a], revision: v.id });
    expect((await repo.versions('hr'))[0]).toMatchObject({ status: 'published', number: 7, collection: 'kb_hr_v7' });
  });

  it('keeps who changed an entry and when only for entries that changed', async () => {
    const before = await pool.query('SELECT id, updated_at, updated_by FROM knowledge_entries ORDER BY id');
    const current = (await repo.current('hr'))!;
    const [b, a] = current.entries as [KnowledgeEntryRecord, KnowledgeEntryRecord];
    const b2 = { ...b, answer: '新的答案 B' };
    await repo.publish(
      publication({ entries: [b2, a], changed: [{ before: b, after: b2 }], by: 'editor1', basedOn: current.revision }),
    );
    const after = await pool.query('SELECT id, updated_at, updated_by FROM knowledge_entries ORDER BY id');
    expect(after.rows[0]).toEqual(before.rows[0]);
    expect(after.rows[1]).toMatchObject({ id: 'b', updated_by: 'editor1' });
    const history = await pool.query(
      "SELECT change, before->>'answer' AS was, after->>'answer' AS now, changed_by FROM knowledge_entry_changes WHERE entry_id = 'b' ORDER BY id",
    );
    expect(history.rows).toEqual([
      { change: 'added', was: null, now: '答案 B', changed_by: 'ops' },
      { change: 'changed', was: '答案 B', now: '新的答案 B', changed_by: 'editor1' },
    ]);
  });

  it('lets one of two publications planned on the same revision through, and refuses the other whole', async () => {
    const current = (await repo.current('hr'))!;
    const results = await Promise.allSettled(
      ['x', 'y'].map((id) =>
        repo.publish(
          publication({
            entries: [...current.entries, entry(id, `答案 ${id}`)],
            added: [entry(id, `答案 ${id}`)],
            basedOn: current.revision,
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(KnowledgeChangedError);
    expect((refused.reason as Error).message).toMatch(/was published by someone else meanwhile/);
    expect((await repo.current('hr'))!.entries).toHaveLength(3);
  });

  it('removes only what a publication no longer has, and records the failure of an index build', async () => {
    const current = (await repo.current('hr'))!;
    const [first, ...rest] = current.entries as [KnowledgeEntryRecord, ...KnowledgeEntryRecord[]];
    const v = await repo.publish(
      publication({ entries: rest, removed: [first], mode: 'replace', basedOn: current.revision }),
    );
    await repo.markFailed(v.id, 'embedder down');
    expect((await repo.current('hr'))!.entries.map((e) => e.id)).toEqual(rest.map((e) => e.id));
    expect((await repo.versions('hr'))[0]).toMatchObject({ status: 'failed', failure: 'embedder down', removed: 1 });
  });
});
