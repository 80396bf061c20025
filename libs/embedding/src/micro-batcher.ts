import type { EmbedInputKind, Embedder } from './embedder';

interface Pending {
  text: string;
  resolve: (v: number[]) => void;
  reject: (e: unknown) => void;
}

export interface MicroBatchingOptions {
  /** How long a question waits for company when a request could go out at once (ms). */
  maxWaitMs: number;
  /** Questions per request at most (the profile's batch size). */
  maxBatch: number;
  /**
   * Requests this process keeps open at once. Questions that arrive while they are all out wait for the
   * first to come back and then go together: under load the batches grow with the load instead of the
   * requests multiplying (a GPU serves a batch of 32 in about the time of one, and queues requests).
   */
  maxInFlight: number;
}

/**
 * Collects single queries arriving together (concurrent jobs) into one embeddings request. Unloaded, a
 * question waits at most `maxWaitMs`; loaded, it waits for a free request slot, and every question that
 * arrived meanwhile goes out in the same request (up to `maxBatch`).
 */
export class MicroBatchingEmbedder implements Embedder {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly options: MicroBatchingOptions;

  constructor(
    private readonly inner: Embedder,
    options: Partial<MicroBatchingOptions> = {},
  ) {
    this.options = { maxWaitMs: 5, maxBatch: inner.profile.batchSize, maxInFlight: 1, ...options };
  }

  get profile() {
    return this.inner.profile;
  }

  embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    if (kind !== 'query' || texts.length !== 1) return this.inner.embed(texts, kind);
    return new Promise<number[]>((resolve, reject) => {
      this.queue.push({ text: texts[0] ?? '', resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.send();
      else this.timer ??= setTimeout(() => this.send(), this.options.maxWaitMs);
    }).then((v) => [v]);
  }

  /** Sends what waits, if a request slot is free; otherwise the next request to come back sends it. */
  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.inner
        .embed(
          batch.map((p) => p.text),
          'query',
        )
        .then(
          (vectors) => batch.forEach((p, i) => p.resolve(vectors[i] ?? [])),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          // Whatever arrived while every slot was taken has waited long enough: it goes now.
          if (this.queue.length > 0) this.send();
        });
    }
  }
}
