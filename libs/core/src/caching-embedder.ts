import type { EmbedInputKind, Embedder } from './embedding-ports';

/**
 * Remembers recent query embeddings: people ask the same questions again and again, and a cached one
 * costs nothing on the GPU. A Map in insertion order makes a compact LRU. Passages are not cached unless
 * asked for (a job that indexes the same texts several times, such as a cross-validated calibration).
 */
export class CachingEmbedder implements Embedder {
  private readonly cache = new Map<string, number[]>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: Embedder,
    private readonly maxEntries: number,
    private readonly options: { passages?: boolean } = {},
  ) {}

  get profile() {
    return this.inner.profile;
  }

  async embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    if (kind !== 'query' && !this.options.passages) return this.inner.embed(texts, kind);
    const keys = texts.map((t) => `${kind}\u0000${t.trim()}`);
    // Read what is cached before anything is added: adding this call's misses to a full cache evicts the
    // oldest entries, which may be this very call's hits.
    const found = new Map<string, number[]>();
    for (const k of keys) {
      const v = this.cache.get(k);
      if (v === undefined || found.has(k)) continue;
      found.set(k, v);
      // Refresh recency.
      this.cache.delete(k);
      this.cache.set(k, v);
    }
    const missing = [...new Set(keys.filter((k) => !found.has(k)))];
    this.hits += keys.length - keys.filter((k) => !found.has(k)).length;
    this.misses += missing.length;
    if (missing.length) {
      const vectors = await this.inner.embed(
        missing.map((k) => k.slice(kind.length + 1)),
        kind,
      );
      missing.forEach((k, i) => {
        const v = vectors[i] ?? [];
        found.set(k, v);
        this.remember(k, v);
      });
    }
    return keys.map((k) => found.get(k) ?? []);
  }

  private remember(key: string, vector: number[]): void {
    this.cache.set(key, vector);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
