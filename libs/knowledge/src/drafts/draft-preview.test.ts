import { describe, expect, it } from 'vitest';
import {
  FakeEmbedder,
  InMemoryKnowledgeDrafts,
  InMemoryKnowledgeRepository,
  InMemoryVectorStore,
} from '@answerbridge/testing';
import { activeEntries } from '../active-entries';
import { ingestKnowledgeBase } from '../ingest-knowledge-base';
import { DraftPreviews, draftPreviewName } from './draft-preview';
import { readEntryInput } from './entry-input';
import { KnowledgeDrafts } from './knowledge-drafts';

describe('search indexes of drafts, for hit testing', () => {
  it('indexes the draft apart from the live knowledge base, again only when it changed', async () => {
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
    const previews = new DraftPreviews(drafts, deps.store, deps.embedder);
    expect(await previews.preview('kb')).toBeNull();

    await drafts.putEntry('kb', readEntryInput({ question: '问题 B', answer: '答案 B' }), 'editor1');
    const [first, again] = await Promise.all([previews.preview('kb'), previews.preview('kb')]);
    expect(first).toBe(draftPreviewName('kb'));
    expect(again).toBe(first);
    expect((await activeEntries(deps.store, first!)).map((e) => e.question)).toEqual(['问题 A', '问题 B']);
    const built = await deps.store.activeCollection(first!);
    expect(await previews.preview('kb')).toBe(first);
    expect(await deps.store.activeCollection(first!)).toBe(built);

    await drafts.addPhrasing('kb', 'a', '问题 A 的另一种说法', 'editor1');
    await previews.preview('kb');
    expect(await deps.store.activeCollection(first!)).not.toBe(built);
    expect(await deps.store.listVersions(first!)).toHaveLength(1);
    // The live knowledge base is untouched.
    expect((await activeEntries(deps.store, 'kb')).map((e) => e.question)).toEqual(['问题 A']);
    expect(await deps.store.listVersions('kb')).toHaveLength(1);
  });
});
