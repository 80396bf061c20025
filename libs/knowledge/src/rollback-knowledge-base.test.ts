import { describe, expect, it } from 'vitest';
import {
  FakeEmbedder,
  InMemoryKnowledgeDrafts,
  InMemoryKnowledgeRepository,
  InMemoryVectorStore,
} from '@answerbridge/testing';
import { activeEntries } from './active-entries';
import { readEntryInput } from './drafts/entry-input';
import { KnowledgeDrafts } from './drafts/knowledge-drafts';
import { ingestKnowledgeBase } from './ingest-knowledge-base';
import { VersionNotFoundError } from './knowledge-versions';
import { IndexVersionGoneError, rollbackKnowledgeBase } from './rollback-knowledge-base';

describe('rolling a knowledge base back to a recorded version', () => {
  it('makes the version live again, records who did it, and refuses a version whose index is gone', async () => {
    const deps = {
      repository: new InMemoryKnowledgeRepository(),
      drafts: new InMemoryKnowledgeDrafts(),
      store: new InMemoryVectorStore(),
      embedder: new FakeEmbedder(),
    };
    await ingestKnowledgeBase(deps.store, deps.embedder, 'kb', [
      { id: 'a', question: '问题 A', similar: [], answer: '答案 A', tags: [] },
    ]);
    const drafts = new KnowledgeDrafts({ ...deps, changes: deps.repository });
    await drafts.putEntry('kb', readEntryInput({ question: '问题 B', answer: '答案 B' }), 'editor1');
    const first = await drafts.publish('kb', 'editor1');
    await drafts.putEntry('kb', readEntryInput({ question: '问题 C', answer: '答案 C' }), 'editor1');
    const second = await drafts.publish('kb', 'editor1');
    expect((await activeEntries(deps.store, 'kb')).map((e) => e.question)).toEqual(['问题 A', '问题 B', '问题 C']);

    const done = await rollbackKnowledgeBase(
      deps,
      'kb',
      { publication: first.version.id },
      'admin',
      (to) => `console rollback to v${to.version}`,
    );
    expect(done.to.collection).toBe(first.version.collection);
    expect(done.recorded).toMatchObject({ mode: 'rollback', publishedBy: 'admin', removed: 1 });
    expect(done.recorded?.source).toBe(`console rollback to v${first.version.number}`);
    expect((await activeEntries(deps.store, 'kb')).map((e) => e.question)).toEqual(['问题 A', '问题 B']);
    expect((await drafts.entries('kb', 'live')).entries.map((e) => e.question)).toEqual(['问题 A', '问题 B']);

    await expect(rollbackKnowledgeBase(deps, 'kb', { publication: first.version.id }, 'admin')).rejects.toThrow(
      /already active/,
    );
    await deps.store.dropVersion(second.version.collection!);
    await expect(rollbackKnowledgeBase(deps, 'kb', { publication: second.version.id }, 'admin')).rejects.toThrow(
      IndexVersionGoneError,
    );
    await expect(rollbackKnowledgeBase(deps, 'kb', { publication: 999 }, 'admin')).rejects.toThrow(
      VersionNotFoundError,
    );
  });
});
