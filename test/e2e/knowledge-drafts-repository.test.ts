import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KnowledgeDraftRecord, KnowledgeEntryRecord } from '@answerbridge/core';
import {
  PostgresKnowledgeChangeLog,
  PostgresKnowledgeDrafts,
  PostgresKnowledgeRepository,
  openDatabase,
  type Pool,
} from '@answerbridge/database';
import { createTestDatabase, type TestDatabase } from '@answerbridge/testing';

const entry = (id: string, answer: string): KnowledgeEntryRecord => ({
  id,
  question: `问题 ${id}`,
  similar: [`${id} 的另一种问法`],
  answer,
  category: '制度',
  tags: ['t'],
});

/** The PostgreSQL adapters of the draft store and the change log, on real PostgreSQL. */
describe('knowledge drafts in PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let drafts: PostgresKnowledgeDrafts;
  const draft = (edits: number, entries: KnowledgeEntryRecord[], by = 'editor1'): KnowledgeDraftRecord => ({
    knowledgeBase: 'hr',
    basedOn: null,
    entries,
    edits,
    createdBy: 'editor1',
    createdAt: 1_700_000_000_000,
    updatedBy: by,
    updatedAt: 1_700_000_000_000 + edits,
  });

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').postgresUrl);
    pool = await openDatabase(database.url);
    drafts = new PostgresKnowledgeDrafts(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('keeps one draft per knowledge base, and refuses a save made on an edit count someone else saved over', async () => {
    expect(await drafts.get('hr')).toBeNull();
    // A knowledge base nothing was published to yet: the draft adds its row.
    expect(await drafts.save(draft(1, [entry('a', '答案 A')]), null)).toBe(true);
    expect(await drafts.save(draft(1, [entry('b', '答案 B')], 'editor2'), null)).toBe(false);
    expect(await drafts.get('hr')).toEqual(draft(1, [entry('a', '答案 A')]));

    expect(await drafts.save(draft(2, [entry('a', '答案 A2')], 'editor2'), 1)).toBe(true);
    expect(await drafts.save(draft(2, [entry('a', '答案 A3')]), 1)).toBe(false);
    expect(await drafts.get('hr')).toMatchObject({ edits: 2, updatedBy: 'editor2', entries: [entry('a', '答案 A2')] });

    expect(await drafts.discard('hr')).toBe(true);
    expect(await drafts.discard('hr')).toBe(false);
    expect(await drafts.get('hr')).toBeNull();
  });

  it("reads back what a publication did to each entry, and nothing of another knowledge base's version", async () => {
    const repository = new PostgresKnowledgeRepository(pool);
    const log = new PostgresKnowledgeChangeLog(pool);
    const before = entry('a', '答案 A');
    const after = entry('a', '新答案 A');
    const first = await repository.publish({
      knowledgeBase: 'it',
      entries: [before],
      added: [before],
      changed: [],
      removed: [],
      by: 'ops',
      source: 'test',
      mode: 'upsert',
      basedOn: null,
    });
    const second = await repository.publish({
      knowledgeBase: 'it',
      entries: [after, entry('c', '答案 C')],
      added: [entry('c', '答案 C')],
      changed: [{ before, after }],
      removed: [],
      by: 'editor1',
      source: 'console draft',
      mode: 'console',
      basedOn: first.id,
    });
    const changes = await log.changesOf('it', second.id);
    expect(changes.map((c) => [c.entryId, c.change, c.changedBy])).toEqual([
      ['c', 'added', 'editor1'],
      ['a', 'changed', 'editor1'],
    ]);
    expect(changes[1]).toMatchObject({ before, after, versionId: second.id });
    expect(await log.changesOf('hr', second.id)).toEqual([]);
  });
});
