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
    const textOf = new Map(keys.map((k, i) => [k, (texts[i] ?? '').trim()]));
    const missing = [...new Set(keys.filter((k) => !this.cache.has(k)))];
    this.hits += keys.length - missing.length;
    this.misses += missing.length;
    if (missing.length) {
      const vectors = await this.inner.embed(
        missing.map((k) => textOf.get(k) ?? ''),
        kind,
      );
      missing.forEach((k, i) => this.remember(k, vectors[i] ?? []));
    }
    return keys.map((k) => {
      const v = this.cache.get(k) ?? [];
      // Refresh recency.
      this.cache.delete(k);
      this.cache.set(k, v);
      return v;
    });
  }

  private remember(key: string, vector: number[]): void {
    this.cache.set(key, vector);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
