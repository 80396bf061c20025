import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { profileFingerprint } from '@answerbridge/core';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import {
  ResidentSearchStore,
  addPhrasingToActiveVersion,
  ingestKnowledgeBase,
  loadFaqFile,
  type ResidentSearchEvent,
} from '@answerbridge/knowledge';
import { RedisKnowledgeChanges, createRedis, type RedisClient } from '@answerbridge/redis';
import { workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const evalQuestions = readFileSync(path.join(workspaceRoot, 'data/sample-eval.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { query: string }).query);

/**
 * Issue 16, search at scale: the worker searches each knowledge base in its own memory, and Milvus
 * stays the system of record. On Milvus Lite, real Redis pub/sub and the local embedder's vectors: the memory copy
 * ranks as Milvus does, pages past one request, partitions, and follows what other processes change.
 */
describe('dense search in the worker’s memory, kept current with Milvus', () => {
  const services = inject('services');
  const profile = resolveProfile('e5-minilm');
  const fingerprint = profileFingerprint(profile);
  const embedder = new HttpEmbedder(profile, { baseUrl: services.embeddingBaseUrl, apiKey: 'none', timeoutMs: 60_000 });
  const kb = `resident${randomUUID().slice(0, 8)}`;
  const prefix = `abtest-resident-${randomUUID().slice(0, 8)}`;
  let milvus: MilvusVectorStore;
  let redis: RedisClient;
  let vectors: number[][];
  const readers: ResidentSearchStore[] = [];
  const events: ResidentSearchEvent[] = [];
  /** A worker's view: listens on Redis, reads pages of 16 rows so a load takes many requests. */
  const reader = async (index: { exactMaxRows?: number; probeShare?: number } = {}) => {
    const store = new ResidentSearchStore(new MilvusVectorStore({ address: services.milvusAddress }), {
      maxRows: 100_000,
      checkEveryMs: 60_000,
      pageSize: 16,
      index,
      changes: new RedisKnowledgeChanges(redis, prefix),
      onEvent: (e) => events.push(e),
    });
    await store.listen();
    readers.push(store);
    return store;
  };
  /** The console's view: writes to Milvus and announces; holds nothing in memory. */
  const writer = () =>
    new ResidentSearchStore(new MilvusVectorStore({ address: services.milvusAddress }), {
      maxRows: 0,
      checkEveryMs: 60_000,
      changes: new RedisKnowledgeChanges(redis, prefix),
    });

  beforeAll(async () => {
    milvus = new MilvusVectorStore({ address: services.milvusAddress });
    await milvus.ready();
    redis = createRedis(services.redisUrl, 'worker');
    await ingestKnowledgeBase(milvus, embedder, kb, faq);
    vectors = await embedder.embed(evalQuestions, 'query');
  });
  afterAll(async () => {
    for (const store of readers) await store.close();
    for (const v of await milvus.listVersions(kb)) await milvus.dropVersion(v.collection);
    await milvus.close();
    redis.disconnect();
  });

  it('holds every row of the active version and ranks the 150 sample questions exactly as Milvus does', async () => {
    const store = await reader();
    await store.warm(kb);
    const active = await milvus.activeCollection(kb);
    const rows = await milvus.countRows(active!);
    expect(rows).toBeGreaterThan(100);
    expect(store.residents()).toEqual([{ knowledgeBase: kb, collection: active, rows, partitioned: false }]);
    for (const vector of vectors) {
      const fromMilvus = await milvus.searchDense(kb, fingerprint, vector, 10);
      const fromMemory = await store.searchDense(kb, fingerprint, vector, 10);
      expect(fromMemory.map((h) => [h.entryId, h.text, h.answer])).toEqual(
        fromMilvus.map((h) => [h.entryId, h.text, h.answer]),
      );
      for (const [i, hit] of fromMemory.entries()) expect(hit.score).toBeCloseTo(fromMilvus[i]?.score ?? NaN, 4);
      expect(fromMemory[0]?.meta).toEqual(fromMilvus[0]?.meta);
    }
    expect(events.filter((e) => e.kind === 'searched' && e.from === 'store')).toEqual([]);
  });

  it('partitioned, still finds the entry Milvus ranks first for nearly every sample question', async () => {
    // A quarter of 255 rows in 16 lists: the share that bench/search measures at 100,000 rows is smaller.
    const store = await reader({ exactMaxRows: 50, probeShare: 0.25 });
    await store.warm(kb);
    expect(store.residents()[0]?.partitioned).toBe(true);
    let same = 0;
    for (const vector of vectors) {
      const [fromMilvus] = await milvus.searchDense(kb, fingerprint, vector, 1);
      const [fromMemory] = await store.searchDense(kb, fingerprint, vector, 1);
      if (fromMemory?.entryId === fromMilvus?.entryId) same++;
    }
    expect(same / vectors.length).toBeGreaterThanOrEqual(0.95);
  });

  it('answers a wording approved in another process with the next search, and then from memory', async () => {
    const store = readers[0]!;
    const wording = '电脑屏幕一直闪是坏了吗';
    const [question] = await embedder.embed([wording], 'query');
    const before = (await store.searchDense(kb, fingerprint, question!, 1))[0];
    expect(before?.text).not.toBe(wording);
    const rowsBefore = store.residents()[0]!.rows;
    await addPhrasingToActiveVersion(writer(), embedder, kb, { id: 'p-resident', entryId: 'repair', text: wording });
    // Heard over Redis: the search right after the approval finds the new row (read from Milvus while it is fetched).
    await expect.poll(async () => (await store.searchDense(kb, fingerprint, question!, 1))[0]?.text).toBe(wording);
    await expect.poll(() => store.residents()[0]?.rows).toBe(rowsBefore + 1);
    const searched = events.filter((e) => e.kind === 'searched').length;
    const [hit] = await store.searchDense(kb, fingerprint, question!, 1);
    expect(hit).toMatchObject({ entryId: 'repair', text: wording });
    expect(hit?.score).toBeGreaterThan(0.99);
    expect(events.filter((e) => e.kind === 'searched').slice(searched)).toEqual([
      { kind: 'searched', knowledgeBase: kb, from: 'memory' },
    ]);
  });

  it('leaves the old version when another process activates a new one, and loads it', async () => {
    const store = readers[0]!;
    const old = store.residents()[0]!.collection;
    const only = faq.filter((e) => e.id === 'repair' || e.id === 'password-change');
    const { collection } = (await ingestKnowledgeBase(writer(), embedder, kb, only)).version;
    expect(collection).not.toBe(old);
    const [vector] = await embedder.embed(['年假有几天'], 'query');
    // Right after the activation is announced, no search reads the old version (it held the leave entry).
    const hits = await store.searchDense(kb, fingerprint, vector!, 5);
    expect(new Set(hits.map((h) => h.entryId))).toEqual(new Set(['repair', 'password-change']));
    await expect.poll(() => store.residents()[0]?.collection).toBe(collection);
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'dropped',
        knowledgeBase: kb,
        collection: old,
        reason: 'another version was activated',
      }),
    );
  });
});

/** The worker as shipped: the knowledge base it serves is loaded into its memory and answers from there. */
describe('the worker answers from its memory copy', () => {
  let sut: SystemUnderTest;
  beforeAll(async () => {
    // No periodic check during the test: a search that falls due for one is answered by Milvus (by design).
    sut = await startSystem({ RESIDENT_SEARCH_CHECK_MS: '600000' });
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('loads its knowledge base at start, answers a WeCom question from memory, and says so in its metrics', async () => {
    const metrics = async () => (await fetch(new URL('/metrics', sut.worker.metricsUrl))).text();
    const sample = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const rowsPattern = new RegExp(
      `answerbridge_resident_search_rows\\{[^}]*knowledge_base="${sut.bot.id}"[^}]*\\} (\\d+)`,
    );
    await expect.poll(async () => sample(await metrics(), rowsPattern), { timeout: 30_000 }).toBeGreaterThan(100);
    const fromMemory = /answerbridge_dense_searches_total\{[^}]*from="memory"[^}]*\} (\d+)/;
    const before = sample(await metrics(), fromMemory);
    await sut.simulator.wecomClient(sut.bot.id).sendText('resident-asker', '怎么更改登录密码?');
    const reply = await sut.simulator.wecom.nextMessageTo('resident-asker');
    expect(reply.content).toBe(faq.find((e) => e.question.includes('修改登录密码'))?.answer);
    await sut.idle();
    expect(sample(await metrics(), fromMemory)).toBeGreaterThan(before);
  });
});
