import { describe, expect, it, vi } from 'vitest';
import type { EmbedInputKind, Embedder } from './embedder';
import { MicroBatchingEmbedder } from './micro-batcher';
import { resolveProfile } from './model-profile';

/** An embedder whose requests stay open until the test answers them, so what is in flight is visible. */
class HeldEmbedder implements Embedder {
  readonly profile = resolveProfile('e5-small');
  readonly requests: { texts: string[]; kind: EmbedInputKind; answer: () => void; fail: (e: Error) => void }[] = [];

  embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    return new Promise((resolve, reject) => {
      this.requests.push({
        texts,
        kind,
        answer: () => resolve(texts.map((t) => [t.length])),
        fail: reject,
      });
    });
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatchingEmbedder', () => {
  it('sends questions that arrive together in one request', async () => {
    const inner = new HeldEmbedder();
    const batcher = new MicroBatchingEmbedder(inner, { maxWaitMs: 1 });
    const answers = Promise.all(['a', 'bb', 'ccc'].map((t) => batcher.embed([t], 'query')));
    await expect.poll(() => inner.requests.length).toBe(1);
    expect(inner.requests[0]?.texts).toEqual(['a', 'bb', 'ccc']);
    inner.requests[0]?.answer();
    expect(await answers).toEqual([[[1]], [[2]], [[3]]]);
  });

  it('holds questions while every request slot is out, then sends them all in the next request', async () => {
    vi.useFakeTimers();
    try {
      const inner = new HeldEmbedder();
      const batcher = new MicroBatchingEmbedder(inner, { maxWaitMs: 1, maxInFlight: 1 });
      const first = batcher.embed(['first'], 'query');
      await vi.advanceTimersByTimeAsync(1);
      expect(inner.requests).toHaveLength(1);
      const later = Promise.all(['x', 'yy', 'zzz', 'wwww'].map((t) => batcher.embed([t], 'query')));
      // A hundred waits later: still the one request out, the four held.
      await vi.advanceTimersByTimeAsync(100);
      expect(inner.requests).toHaveLength(1);
      inner.requests[0]?.answer();
      expect(await first).toEqual([[5]]);
      await vi.advanceTimersByTimeAsync(0);
      expect(inner.requests[1]?.texts).toEqual(['x', 'yy', 'zzz', 'wwww']);
      inner.requests[1]?.answer();
      expect(await later).toEqual([[[1]], [[2]], [[3]], [[4]]]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never puts more than the batch size in one request, and keeps the rest for the next', async () => {
    const inner = new HeldEmbedder();
    const batcher = new MicroBatchingEmbedder(inner, { maxWaitMs: 1, maxBatch: 2, maxInFlight: 2 });
    const all = Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => batcher.embed([t], 'query')));
    await expect.poll(() => inner.requests.length).toBe(2);
    expect(inner.requests.map((r) => r.texts)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    inner.requests[1]?.answer();
    await expect.poll(() => inner.requests.length).toBe(3);
    expect(inner.requests[2]?.texts).toEqual(['e']);
    inner.requests[0]?.answer();
    inner.requests[2]?.answer();
    expect((await all).flat()).toHaveLength(5);
  });

  it('rejects every question of a failed request, and the next request still goes out', async () => {
    const inner = new HeldEmbedder();
    const batcher = new MicroBatchingEmbedder(inner, { maxWaitMs: 1, maxInFlight: 1 });
    const failed = Promise.allSettled(['a', 'b'].map((t) => batcher.embed([t], 'query')));
    await expect.poll(() => inner.requests.length).toBe(1);
    const next = batcher.embed(['next'], 'query');
    await settle();
    inner.requests[0]?.fail(new Error('embedder down'));
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect.poll(() => inner.requests.length).toBe(2);
    inner.requests[1]?.answer();
    expect(await next).toEqual([[4]]);
  });

  it('passes documents and several questions at once straight through', async () => {
    const inner = new HeldEmbedder();
    const batcher = new MicroBatchingEmbedder(inner, { maxWaitMs: 1_000 });
    const docs = batcher.embed(['d1', 'd2'], 'passage');
    const many = batcher.embed(['q1', 'q2'], 'query');
    expect(inner.requests.map((r) => [r.kind, r.texts])).toEqual([
      ['passage', ['d1', 'd2']],
      ['query', ['q1', 'q2']],
    ]);
    inner.requests.forEach((r) => r.answer());
    expect(await docs).toEqual([[2], [2]]);
    expect(await many).toEqual([[2], [2]]);
  });
});
