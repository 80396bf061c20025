import { describe, expect, it } from 'vitest';
import { fuseCandidates } from './fuse-candidates';

const hit = (entryId: string, text: string, score: number) => ({
  entryId,
  text,
  answer: `A-${entryId}`,
  meta: { question: `Q-${entryId}` },
  score,
});

describe('fuseCandidates', () => {
  const dense = [hit('a', 'a1', 0.95), hit('a', 'a2', 0.93), hit('b', 'b1', 0.9), hit('c', 'c1', 0.8)];
  const keyword = [hit('c', 'c1', 12), hit('b', 'b2', 9), hit('d', 'd1', 3)];

  it('dense mode: one candidate per entry with its best question, confidence = cosine', () => {
    const out = fuseCandidates(dense, keyword, 'dense', { method: 'rrf', k: 60 });
    expect(out.map((c) => [c.entryId, c.matchedQuestion, c.confidence])).toEqual([
      ['a', 'a1', 0.95],
      ['b', 'b1', 0.9],
      ['c', 'c1', 0.8],
    ]);
    expect(out[1]).toMatchObject({ dense: 0.9, keyword: 9, question: 'Q-b' });
  });

  it('keyword mode ranks by BM25 and uses it as confidence', () => {
    const out = fuseCandidates(dense, keyword, 'keyword', { method: 'rrf', k: 60 });
    expect(out.map((c) => [c.entryId, c.confidence])).toEqual([
      ['c', 12],
      ['b', 9],
      ['d', 3],
    ]);
  });

  it('RRF sums reciprocal ranks of both lists; confidence stays the dense cosine (or the weakest seen)', () => {
    const out = fuseCandidates(dense, keyword, 'hybrid', { method: 'rrf', k: 60 });
    // c: 1/63 + 1/61 (0.03227) just above b: 1/62 + 1/62 (0.03226); a: 1/61; d: 1/63
    expect(out.map((c) => c.entryId)).toEqual(['c', 'b', 'a', 'd']);
    expect(out[0]?.score).toBeCloseTo(1 / 63 + 1 / 61, 10);
    expect(out.find((c) => c.entryId === 'd')?.confidence).toBe(0.8);
  });

  it('weighted fusion min-max-normalizes each list', () => {
    const out = fuseCandidates(dense, keyword, 'hybrid', { method: 'weighted', denseWeight: 0.5 });
    const score = Object.fromEntries(out.map((c) => [c.entryId, c.score]));
    expect(score.a).toBeCloseTo(0.5, 10);
    expect(score.c).toBeCloseTo(0.5, 10);
    expect(score.b).toBeCloseTo(0.5 * (0.1 / 0.15) + 0.5 * (6 / 9), 10);
    expect(score.d).toBeCloseTo(0, 10);
  });

  it('returns nothing for empty lists', () => {
    expect(fuseCandidates([], [], 'hybrid', { method: 'rrf', k: 60 })).toEqual([]);
  });
});

describe('rerankCandidates', () => {
  it('rescores the top candidates with the reranker, which then ranks them and sets the confidence', async () => {
    const { rerankCandidates } = await import('./knowledge-searcher');
    const candidates = fuseCandidates([hit('a', 'a1', 0.95), hit('b', 'b1', 0.9), hit('c', 'c1', 0.8)], [], 'dense', {
      method: 'rrf',
      k: 60,
    });
    const seen: string[][] = [];
    const reranker = {
      model: 'm',
      rerank: async (_q: string, docs: string[]) => (
        seen.push(docs),
        docs.map((d) => (d.startsWith('Q-b') ? 0.9 : 0.1))
      ),
    };
    const out = await rerankCandidates(reranker, '问题', candidates, 2);
    expect(seen[0]).toEqual(['Q-a\nA-a', 'Q-b\nA-b']);
    expect(out.map((c) => [c.entryId, c.confidence])).toEqual([
      ['b', 0.9],
      ['a', 0.1],
    ]);
  });
});

describe('fuseCandidates with entry prototypes', () => {
  const proto = (entryId: string, score: number) => ({
    ...hit(entryId, `Q-${entryId}`, score),
    meta: { question: `Q-${entryId}`, prototype: true },
    prototype: true,
  });

  it('blends the closest question with the prototype: an entry whose wordings all agree beats one lucky wording', () => {
    // a has one wording very close (0.95) but is far as a whole (0.70); b is close as a whole (0.90).
    const dense = [hit('a', 'a1', 0.95), hit('b', 'b1', 0.92), proto('b', 0.9), proto('a', 0.7)];
    const out = fuseCandidates(dense, [], 'dense', { method: 'rrf', k: 60 });
    expect(out.map((c) => c.entryId)).toEqual(['b', 'a']);
    expect(out[0]?.dense).toBeCloseTo(0.5 * 0.92 + 0.5 * 0.9, 10);
    expect(out[1]?.dense).toBeCloseTo(0.5 * 0.95 + 0.5 * 0.7, 10);
    // The matched question is a real wording, never the prototype, and phrasings count wordings only.
    expect(out[0]).toMatchObject({ matchedQuestion: 'b1', phrasings: 1 });
  });

  it('an entry missing from one list takes that list`s weakest score, and shows no prototype flag', () => {
    const dense = [hit('a', 'a1', 0.9), hit('b', 'b1', 0.8), proto('a', 0.85), proto('c', 0.82)];
    const out = fuseCandidates(dense, [], 'dense', { method: 'rrf', k: 60 });
    const byId = new Map(out.map((c) => [c.entryId, c]));
    expect(byId.get('b')?.dense).toBeCloseTo(0.5 * 0.8 + 0.5 * 0.82, 10);
    expect(byId.get('c')?.dense).toBeCloseTo(0.5 * 0.8 + 0.5 * 0.82, 10);
    expect(byId.get('c')?.meta).toEqual({ question: 'Q-c' });
  });

  it('a version built before prototypes existed scores by the closest question alone', () => {
    const out = fuseCandidates([hit('a', 'a1', 0.9), hit('b', 'b1', 0.8)], [], 'dense', { method: 'rrf', k: 60 });
    expect(out.map((c) => c.dense)).toEqual([0.9, 0.8]);
  });
});
