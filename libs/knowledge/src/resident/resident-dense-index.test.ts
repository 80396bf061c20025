import { cosine } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import { ResidentDenseIndex } from './resident-dense-index';

/** A deterministic generator, so a failure reproduces. */
function numbers(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648 - 0.5;
  };
}

const row = (i: number, vector: number[]) => ({
  pk: `e${i}#0`,
  entryId: `e${i}`,
  text: `question ${i}`,
  answer: `answer ${i}`,
  meta: { i },
  vector,
});

/** Rows around `topics` directions, as embeddings of FAQ phrasings gather around their topics. */
function clustered(count: number, topics: number, dimension: number, seed: number) {
  const next = numbers(seed);
  const centres = Array.from({ length: topics }, () => Array.from({ length: dimension }, next));
  const vectors = Array.from({ length: count }, (_, i) => (centres[i % topics] ?? []).map((x) => x + 0.3 * next()));
  return { centres, vectors, next };
}

describe('ResidentDenseIndex', () => {
  it('ranks every row by cosine, as an exact search does, with the rows it was given', () => {
    const next = numbers(1);
    const vectors = Array.from({ length: 300 }, () => Array.from({ length: 24 }, () => next() * 3));
    const index = new ResidentDenseIndex(24);
    expect(index.add(vectors.map((v, i) => row(i, v)))).toBe(300);
    const query = Array.from({ length: 24 }, next);
    const hits = index.search(query, 10);
    const expected = vectors
      .map((v, i) => ({ i, score: cosine(v, query) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10);
    expect(hits.map((h) => h.entryId)).toEqual(expected.map((e) => `e${e.i}`));
    for (const [k, hit] of hits.entries()) expect(hit.score).toBeCloseTo(expected[k]?.score ?? NaN, 5);
    expect(hits[0]).toMatchObject({ text: `question ${expected[0]?.i}`, answer: `answer ${expected[0]?.i}` });
  });

  it('returns what it holds when asked for more, and nothing when empty', () => {
    const index = new ResidentDenseIndex(3);
    expect(index.search([1, 0, 0], 5)).toEqual([]);
    index.add([row(1, [1, 0, 0]), row(2, [0, 1, 0])]);
    expect(index.search([1, 0.1, 0], 5).map((h) => h.entryId)).toEqual(['e1', 'e2']);
  });

  it('skips a key it holds, and refuses vectors of another dimension in words', () => {
    const index = new ResidentDenseIndex(3);
    expect(index.add([row(1, [1, 0, 0])])).toBe(1);
    expect(index.add([row(1, [0, 1, 0])])).toBe(0);
    expect(index.size).toBe(1);
    expect(() => index.add([row(2, [1, 0])])).toThrow(/row e2#0 has 2 dimensions, the index 3/);
    expect(() => index.search([1, 0], 1)).toThrow(/question vector has 2 dimensions, the index 3/);
  });

  it('partitions many rows and still finds what an exact search finds first', async () => {
    const dimension = 32;
    const { centres, vectors, next } = clustered(4_000, 80, dimension, 7);
    const exact = new ResidentDenseIndex(dimension, { exactMaxRows: Number.POSITIVE_INFINITY });
    const partitioned = new ResidentDenseIndex(dimension, { exactMaxRows: 1_000 });
    exact.add(vectors.map((v, i) => row(i, v)));
    partitioned.add(vectors.map((v, i) => row(i, v)));
    await exact.partition();
    await partitioned.partition();
    expect(exact.partitioned).toBe(false);
    expect(partitioned.partitioned).toBe(true);
    let sameFirst = 0;
    let foundOfTen = 0;
    for (let q = 0; q < 50; q++) {
      const query = (centres[(q * 7) % centres.length] ?? []).map((x) => x + 0.3 * next());
      const truth = exact.search(query, 10);
      const got = partitioned.search(query, 10);
      if (got[0]?.entryId === truth[0]?.entryId) sameFirst++;
      const wanted = new Set(truth.map((h) => h.entryId));
      foundOfTen += got.filter((h) => wanted.has(h.entryId)).length;
    }
    expect(sameFirst).toBeGreaterThanOrEqual(48);
    expect(foundOfTen / 500).toBeGreaterThan(0.9);
  });

  it('searches rows added after partitioning exactly, beside the lists', async () => {
    const dimension = 16;
    const { vectors } = clustered(1_500, 30, dimension, 3);
    const index = new ResidentDenseIndex(dimension, { exactMaxRows: 500 });
    index.add(vectors.map((v, i) => row(i, v)));
    await index.partition();
    const late = Array.from({ length: dimension }, (_, j) => (j === 5 ? 1 : 0));
    index.add([row(9_999, late)]);
    const [first] = index.search(late, 1);
    expect(first).toMatchObject({ entryId: 'e9999' });
    expect(first?.score).toBeCloseTo(1, 5);
  });
});
