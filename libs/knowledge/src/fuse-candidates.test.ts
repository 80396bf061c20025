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
  // A row of an entry with `n` questions whose unit vectors sum to length `norm`.
  const row = (entryId: string, text: string, score: number, questions: number, norm: number) => ({
    ...hit(entryId, text, score),
    meta: { question: `Q-${entryId}`, prototype: { questions, norm } },
  });

  it('blends the closest question with the prototype: an entry whose wordings all agree beats one lucky wording', () => {
    // a: one wording very close (0.95), the other far (0.5); b: both close (0.92, 0.9).
    const dense = [
      row('a', 'a1', 0.95, 2, 1.6),
      row('b', 'b1', 0.92, 2, 1.9),
      row('b', 'b2', 0.9, 2, 1.9),
      row('a', 'a2', 0.5, 2, 1.6),
    ];
    const out = fuseCandidates(dense, [], 'dense', { method: 'rrf', k: 60 });
    expect(out.map((c) => c.entryId)).toEqual(['b', 'a']);
    expect(out[0]?.dense).toBeCloseTo(0.5 * 0.92 + (0.5 * (0.92 + 0.9)) / 1.9, 10);
    expect(out[1]?.dense).toBeCloseTo(0.5 * 0.95 + (0.5 * (0.95 + 0.5)) / 1.6, 10);
    expect(out[0]).toMatchObject({ matchedQuestion: 'b1', phrasings: 2 });
  });

  it("counts an entry's questions the list did not reach at the list's weakest cosine", () => {
    const dense = [row('a', 'a1', 0.9, 3, 2.5), row('b', 'b1', 0.8, 1, 1)];
    const out = fuseCandidates(dense, [], 'dense', { method: 'rrf', k: 60 });
    expect(out.find((c) => c.entryId === 'a')?.dense).toBeCloseTo(0.5 * 0.9 + (0.5 * (0.9 + 2 * 0.8)) / 2.5, 10);
    expect(out.find((c) => c.entryId === 'b')?.dense).toBeCloseTo(0.8, 10);
  });

  it('an entry reached only by a wording approved since the version was built gets the weakest cosine as its prototype', () => {
    const dense = [hit('a', 'learned', 0.97), row('b', 'b1', 0.9, 1, 1), row('c', 'c1', 0.6, 1, 1)];
    const out = fuseCandidates(dense, [], 'dense', { method: 'rrf', k: 60 });
    expect(out.find((c) => c.entryId === 'a')?.dense).toBeCloseTo(0.5 * 0.97 + 0.5 * 0.6, 10);
  });

  it('a version built before prototypes existed scores by the closest question alone', () => {
    const out = fuseCandidates([hit('a', 'a1', 0.9), hit('b', 'b1', 0.8)], [], 'dense', { method: 'rrf', k: 60 });
    expect(out.map((c) => c.dense)).toEqual([0.9, 0.8]);
  });
});
