import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HttpEmbedder, profileFingerprint, resolveProfile } from '@answerbridge/embedding';
import { KnowledgeSearcher, ingestKnowledgeBase, parseQaText } from '@answerbridge/knowledge';
import { KnowledgeBaseNotFoundError, MilvusVectorStore, ProfileMismatchError } from '@answerbridge/vector-store';

/** Versioned knowledge bases on Milvus Lite: profile recorded and enforced, alias swaps, isolation. */
describe('knowledge-base versions on Milvus Lite', () => {
  const services = inject('services');
  const profile = resolveProfile('e5-minilm');
  const embedder = new HttpEmbedder(profile, { baseUrl: services.embeddingBaseUrl, apiKey: 'none', timeoutMs: 30_000 });
  const store = new MilvusVectorStore({ address: services.milvusAddress });
  const kbA = `va${randomUUID().slice(0, 8)}`;
  const kbB = `vb${randomUUID().slice(0, 8)}`;
  const v1 = parseQaText('Q: 年假有几天？\nA: 旧答案：5 天\n\nQ: 怎么报销？\nA: 在费控系统提交', 'v1.txt');
  const v2 = parseQaText('Q: 年假有几天？\nA: 新答案：10 天\n\nQ: 怎么报销？\nA: 在费控系统提交', 'v2.txt');

  beforeAll(async () => {
    await store.ready();
    await ingestKnowledgeBase(store, embedder, kbA, v1);
    await ingestKnowledgeBase(store, embedder, kbB, parseQaText('Q: 食堂几点开门？\nA: 11:30', 'b.txt'));
  });
  afterAll(async () => {
    for (const kb of [kbA, kbB]) for (const v of await store.listVersions(kb)) await store.dropVersion(v.collection);
    await store.close();
  });

  it('records the embedding profile and refuses a query made with another one', async () => {
    const versions = await store.listVersions(kbA);
    expect(versions.map((v) => v.profile)).toEqual([profileFingerprint(profile)]);
    const [vector] = await embedder.embed(['年假'], 'query');
    const qwen = profileFingerprint(resolveProfile('qwen3-embedding-4b'));
    await expect(store.searchDense(kbA, qwen, vector ?? [], 3)).rejects.toBeInstanceOf(ProfileMismatchError);
    await expect(store.searchDense(kbA, qwen, vector ?? [], 3)).rejects.toThrow(
      /indexed with embedding profile \[e5-minilm.*queried with \[qwen3-embedding-4b/,
    );
  });

  it('keeps knowledge bases apart: a query never sees another bot entries', async () => {
    const searcher = new KnowledgeSearcher(store, embedder);
    const fromA = await searcher.search(kbA, '食堂几点开门？', 10);
    expect(fromA.map((c) => c.answer)).not.toContain('11:30');
    const fromB = await searcher.search(kbB, '年假有几天？', 10);
    expect(fromB.map((c) => c.answer)).toEqual(['11:30']);
  });

  it('switches versions atomically: queries see the old answers until the new version is complete', async () => {
    const searcher = new KnowledgeSearcher(store, embedder);
    const seen = new Set<string>();
    let building = true;
    const ingest = ingestKnowledgeBase(store, embedder, kbA, v2).finally(() => (building = false));
    while (building) {
      const [top] = await searcher.search(kbA, '年假有几天？', 1);
      if (top) seen.add(top.answer);
    }
    await ingest;
    const [after] = await new KnowledgeSearcher(
      new MilvusVectorStore({ address: services.milvusAddress }),
      embedder,
    ).search(kbA, '年假有几天？', 1);
    expect(after?.answer).toBe('新答案：10 天');
    expect([...seen].every((a) => a === '旧答案：5 天' || a === '新答案：10 天')).toBe(true);
    const versions = await store.listVersions(kbA);
    expect(versions.map((v) => [v.version, v.active])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('says clearly when a knowledge base was never ingested', async () => {
    await expect(new KnowledgeSearcher(store, embedder).search('neverloaded', 'x')).rejects.toBeInstanceOf(
      KnowledgeBaseNotFoundError,
    );
  });
});
