import { describe, expect, it } from 'vitest';
import { VectorStoreError, type IndexedQuestion } from '@answerbridge/core';
import { FakeEmbedder, InMemoryVectorStore, fakeProfile } from '@answerbridge/testing';
import type { FaqEntry } from './faq-entry';
import { ingestKnowledgeBase } from './ingest-knowledge-base';

/** Five entries of one question each, embedded two per batch: three batches. */
const entries: FaqEntry[] = ['一', '二', '三', '四', '五'].map((n, i) => ({
  id: `e${i}`,
  question: `问题${n}`,
  similar: [],
  answer: `答案${n}`,
  tags: [],
}));
const profile = { ...fakeProfile, batchSize: 2 };

/** An in-memory store whose inserts wait until the test lets them finish, recording what happened when. */
class HeldInserts extends InMemoryVectorStore {
  readonly events: string[] = [];
  readonly held: { release: () => void; fail: (e: Error) => void }[] = [];
  holding = true;

  override async insert(collection: string, knowledgeBase: string, rows: IndexedQuestion[]): Promise<void> {
    const batch = rows.map((r) => r.entryId).join(',');
    this.events.push(`insert ${batch}`);
    if (this.holding) await new Promise<void>((resolve, reject) => this.held.push({ release: resolve, fail: reject }));
    await super.insert(collection, knowledgeBase, rows);
    this.events.push(`inserted ${batch}`);
  }
}

class RecordingEmbedder extends FakeEmbedder {
  constructor(private readonly events: string[]) {
    super(profile);
  }
  override async embed(texts: string[], kind: 'query' | 'passage'): Promise<number[][]> {
    this.events.push(`embed ${texts.length}`);
    return super.embed(texts, kind);
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('ingestKnowledgeBase', () => {
  it('embeds the next batch while the last one is being inserted, one insert in flight', async () => {
    const store = new HeldInserts();
    const ingest = ingestKnowledgeBase(store, new RecordingEmbedder(store.events), 'kb', entries);
    // The second batch is embedded while the first insert is still held.
    await until(() => store.events.filter((e) => e.startsWith('embed')).length === 2);
    expect(store.events).toEqual(['embed 2', 'insert e0,e1', 'embed 2']);
    expect(store.held).toHaveLength(1);
    store.holding = false;
    store.held.shift()?.release();
    const result = await ingest;
    expect(result.questions).toBe(5);
    // Never two inserts at once: each starts after the one before it finished.
    const inserts = store.events.filter((e) => e.startsWith('insert '));
    expect(inserts).toEqual(['insert e0,e1', 'insert e2,e3', 'insert e4']);
    let inFlight = 0;
    for (const e of store.events) {
      if (e.startsWith('insert ')) inFlight++;
      if (e.startsWith('inserted ')) inFlight--;
      expect(inFlight).toBeLessThanOrEqual(1);
    }
    expect((await store.readVersion(result.version.collection, 'kb')).map((r) => r.entryId)).toEqual(
      entries.map((e) => e.id),
    );
  });

  it('fails cleanly when the embedder and the insert in flight both fail, keeping no half-built version', async () => {
    const store = new HeldInserts();
    const embedder = new RecordingEmbedder(store.events);
    const ingest = ingestKnowledgeBase(store, embedder, 'kb', entries);
    await until(() => store.held.length === 1);
    embedder.fail = new VectorStoreError('the embedder went away', true);
    // The held insert fails as well: one failure is reported, the other is not left unhandled (vitest fails on those).
    store.held.shift()?.fail(new VectorStoreError('insert refused', true));
    await expect(ingest).rejects.toThrow(/embedder went away|insert refused/);
    expect(await store.listVersions('kb')).toEqual([]);
  });

  it('stops at a failed insert and drops the version', async () => {
    const store = new HeldInserts();
    const ingest = ingestKnowledgeBase(store, new RecordingEmbedder(store.events), 'kb', entries);
    await until(() => store.held.length === 1);
    store.held.shift()?.fail(new VectorStoreError('insert refused', true));
    await expect(ingest).rejects.toThrow('insert refused');
    expect(await store.listVersions('kb')).toEqual([]);
  });
});

describe('ingestKnowledgeBase with entries spanning batches', () => {
  it("inserts an entry's rows once all its questions are embedded, each carrying its prototype stats", async () => {
    const store = new HeldInserts();
    store.holding = false;
    const long: FaqEntry[] = [
      { id: 'a', question: '问题甲', similar: ['甲一', '甲二'], answer: '答案甲', tags: [] },
      { id: 'b', question: '问题乙', similar: [], answer: '答案乙', tags: [] },
    ];
    const result = await ingestKnowledgeBase(store, new RecordingEmbedder(store.events), 'kb', long);
    // Batches of two: a#0 a#1 | a#2 b#0. Nothing of a goes in before its third question is embedded.
    expect(store.events.filter((e) => e.startsWith('insert '))).toEqual(['insert a,a,a,b']);
    const rows = await store.readVersion(result.version.collection, 'kb');
    expect(rows.map((r) => (r.meta.prototype as { questions: number }).questions)).toEqual([3, 3, 3, 1]);
  });
});
