import { describe, expect, it } from 'vitest';
import { CachingEmbedder } from './caching-embedder';
import type { EmbedInputKind, Embedder } from './embedder';
import { resolveProfile } from './model-profile';

class CountingEmbedder implements Embedder {
  readonly profile = resolveProfile('e5-small');
  calls: string[][] = [];
  async embed(texts: string[], _kind: EmbedInputKind) {
    this.calls.push(texts);
    return texts.map((t) => [t.length]);
  }
}

describe('CachingEmbedder', () => {
  it('embeds a repeated query once, keeps order, and evicts the least recently used', async () => {
    const inner = new CountingEmbedder();
    const cache = new CachingEmbedder(inner, 2);
    expect(await cache.embed(['年假', '报销'], 'query')).toEqual([[2], [2]]);
    expect(await cache.embed([' 年假 '], 'query')).toEqual([[2]]);
    expect(inner.calls).toEqual([['年假', '报销']]);
    await cache.embed(['请假流程'], 'query'); // evicts 报销 (年假 was used more recently)
    await cache.embed(['年假', '报销'], 'query');
    expect(inner.calls.at(-1)).toEqual(['报销']);
    expect(cache.hits).toBe(2);
  });

  it('returns every vector of a call whose misses fill the cache, hits included (they are read before any eviction)', async () => {
    const inner = new CountingEmbedder();
    const cache = new CachingEmbedder(inner, 3);
    await cache.embed(['a', 'bb', 'ccc'], 'query');
    // 'a' is a hit and the oldest entry; the three misses would evict it before it was read.
    expect(await cache.embed(['a', 'dddd', 'eeeee', 'ffffff'], 'query')).toEqual([[1], [4], [5], [6]]);
    // More misses than the cache holds, in one call: each still gets its vector.
    expect(await cache.embed(['1', '22', '333', '4444', '55555'], 'query')).toEqual([[1], [2], [3], [4], [5]]);
  });

  it('caches passages when asked, apart from the same text as a query', async () => {
    const inner = new CountingEmbedder();
    const cache = new CachingEmbedder(inner, 10, { passages: true });
    await cache.embed(['a', 'b'], 'passage');
    await cache.embed(['b', 'a'], 'passage');
    await cache.embed(['a'], 'query');
    expect(inner.calls).toEqual([['a', 'b'], ['a']]);
  });

  it('never caches passages by default', async () => {
    const inner = new CountingEmbedder();
    const cache = new CachingEmbedder(inner, 10);
    await cache.embed(['a'], 'passage');
    await cache.embed(['a'], 'passage');
    expect(inner.calls).toHaveLength(2);
  });
});
