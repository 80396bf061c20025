import { describe, expect, it } from 'vitest';
import { AnswerbridgeError, ProfileMismatchError, type Reranker } from '@answerbridge/core';
import { FakeEmbedder, InMemoryVectorStore, fakeProfile } from '@answerbridge/testing';
import type { FaqEntry } from './faq-entry';
import { ingestKnowledgeBase } from './ingest-knowledge-base';
import { KnowledgeSearcher } from './knowledge-searcher';

const entries: FaqEntry[] = [
  {
    id: 'password',
    question: '怎么修改登录密码',
    similar: ['忘记密码怎么办'],
    answer: '打开设置 → 账号 → 修改密码。',
    tags: [],
  },
  { id: 'vpn', question: 'VPN 连不上怎么办', similar: [], answer: '重启 VPN 客户端后重试。', tags: [] },
  { id: 'leave', question: '年假有几天', similar: ['请假流程'], answer: '入职满一年 5 天。', tags: [] },
];

async function indexed() {
  const store = new InMemoryVectorStore();
  const embedder = new FakeEmbedder();
  await ingestKnowledgeBase(store, embedder, 'helpdesk', entries);
  return { store, embedder };
}

describe('KnowledgeSearcher on the in-memory ports', () => {
  it('finds the entry whose question is closest, once per entry, in each mode', async () => {
    const { store, embedder } = await indexed();
    for (const mode of ['dense', 'keyword', 'hybrid'] as const) {
      const searcher = new KnowledgeSearcher(store, embedder, {
        mode,
        fusion: { method: 'rrf', k: 60 },
        depth: 10,
      });
      const candidates = await searcher.search('helpdesk', '忘记密码了怎么办');
      expect(candidates[0]?.entryId, mode).toBe('password');
      expect(new Set(candidates.map((c) => c.entryId)).size, mode).toBe(candidates.length);
    }
  });

  it("says how much of the question the candidates' texts never mention: questions the search saw, and the answer", async () => {
    const { store, embedder } = await indexed();
    const searcher = new KnowledgeSearcher(store, embedder, {
      mode: 'dense',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
    });
    const [asked] = await searcher.search('helpdesk', '年假有几天');
    const [nearMiss] = await searcher.search('helpdesk', '年假能折现吗');
    // Of 年假 · 假满 · 满一 · 一年, only 假满 is nowhere in the leave entry: 满一 and 一年 are in its answer (入职满一年).
    // Only 一年 is a word of the dictionary; the other pairs count half: (½ + 1) / (2½ + 2).
    const fromAnswer = (await searcher.search('helpdesk', '年假满一年')).find((c) => c.entryId === 'leave');
    // 年假 · 假有 · 有几 (no words: ½ each) · 几天, all the entry's: 1 / (2½ + 2).
    expect(asked).toMatchObject({ entryId: 'leave' });
    expect(asked?.uncovered).toBeCloseTo(1 / 4.5);
    expect(nearMiss?.uncovered).toBeGreaterThan(0.5);
    expect(fromAnswer?.uncovered).toBeCloseTo(1 / 3);
  });

  it('answers from keywords alone and says so while the embedder is down', async () => {
    const { store, embedder } = await indexed();
    const searcher = new KnowledgeSearcher(store, embedder, {
      mode: 'hybrid',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
    });
    embedder.fail = new AnswerbridgeError('EMBEDDING.UNAVAILABLE', 'embedder down', true);
    const result = await searcher.searchOrDegrade('helpdesk', 'VPN 连不上');
    expect(result).toMatchObject({ degraded: true, keywordOnly: true, vector: null });
    expect(result.candidates[0]?.entryId).toBe('vpn');
  });

  it('does not degrade on an input the embedder refuses for good: that error reaches the caller', async () => {
    const { store, embedder } = await indexed();
    const searcher = new KnowledgeSearcher(store, embedder, {
      mode: 'dense',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
    });
    embedder.fail = new AnswerbridgeError('EMBEDDING.FAILED', 'input 0 is empty', false);
    await expect(searcher.searchOrDegrade('helpdesk', ' ')).rejects.toThrow('input 0 is empty');
  });

  it('refuses to compare vectors of another embedding profile', async () => {
    const { store } = await indexed();
    const other = new FakeEmbedder({ ...fakeProfile, name: 'other' });
    const searcher = new KnowledgeSearcher(store, other, {
      mode: 'dense',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
    });
    await expect(searcher.search('helpdesk', '年假')).rejects.toBeInstanceOf(ProfileMismatchError);
  });

  it('lets a reranker reorder the candidates, whose score then is the confidence', async () => {
    const { store, embedder } = await indexed();
    const reranker: Reranker = {
      model: 'fake-reranker',
      rerank: async (_query, documents) => documents.map((d) => (d.startsWith('年假') ? 0.99 : 0.1)),
    };
    const searcher = new KnowledgeSearcher(store, embedder, {
      mode: 'dense',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
      rerank: { reranker, depth: 3 },
    });
    const [top] = await searcher.search('helpdesk', '怎么修改登录密码');
    expect(top).toMatchObject({ entryId: 'leave', confidence: 0.99, rerank: 0.99 });
  });

  it('embeds many questions in one request', async () => {
    const { store, embedder } = await indexed();
    const searcher = new KnowledgeSearcher(store, embedder, {
      mode: 'dense',
      fusion: { method: 'rrf', k: 60 },
      depth: 10,
    });
    embedder.calls.length = 0;
    const results = await searcher.searchMany('helpdesk', ['年假有几天', 'VPN 连不上怎么办']);
    expect(results.map((r) => r[0]?.entryId)).toEqual(['leave', 'vpn']);
    expect(embedder.calls).toHaveLength(1);
  });
});
