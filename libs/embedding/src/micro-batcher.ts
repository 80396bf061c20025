import type { EmbedInputKind, Embedder } from './embedder';

interface Pending {
  text: string;
  resolve: (v: number[]) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects single queries arriving together (concurrent jobs) into one embeddings request: a GPU
 * server serves a batch of 16 in about the time of one. Waits at most `maxWaitMs` for company.
 */
export class MicroBatchingEmbedder implements Embedder {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly inner: Embedder,
    private readonly maxWaitMs = 5,
    private readonly maxBatch = inner.profile.batchSize,
  ) {}

  get profile() {
    return this.inner.profile;
  }

  embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    if (kind !== 'query' || texts.length !== 1) return this.inner.embed(texts, kind);
    return new Promise<number[]>((resolve, reject) => {
      this.queue.push({ text: texts[0] ?? '', resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    }).then((v) => [v]);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.inner
      .embed(
        batch.map((p) => p.text),
        'query',
      )
      .then(
        (vectors) => batch.forEach((p, i) => p.resolve(vectors[i] ?? [])),
        (error) => batch.forEach((p) => p.reject(error)),
      );
  }
}
