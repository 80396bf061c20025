import { afterEach, describe, expect, it } from 'vitest';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { hashedUnitVector, startGpuLikeEmbedder, type RunningGpuLikeEmbedder } from './gpu-like-embedder';

const post = (base: string, body: unknown) =>
  fetch(`${base}/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the GPU-like stand-in embedder', () => {
  let server: RunningGpuLikeEmbedder | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('gives each text the same unit-length vector every time, and the known vector where it has one', async () => {
    const known = hashedUnitVector('seed', 384).map((x) => -x);
    server = await startGpuLikeEmbedder({ fixedMs: 1, perItemMs: 0, vectors: new Map([['年假有几天？', known]]) });
    const embedder = new HttpEmbedder(resolveProfile('e5-small'), {
      baseUrl: server.address,
      apiKey: 'none',
      timeoutMs: 5_000,
    });
    const [a, b, again, known2] = await embedder.embed(
      ['年假怎么请', '报销流程', '年假怎么请', '年假有几天？'],
      'query',
    );
    expect(a).toHaveLength(384);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 6);
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    expect(known2?.[0]).toBeCloseTo(known[0] ?? 0, 9);
    expect(server.stats()).toMatchObject({ requests: 1, items: 4, known: 1 });
  });

  it('takes the fixed latency plus the per-item cost, one batch at a time when one is in flight', async () => {
    server = await startGpuLikeEmbedder({ fixedMs: 40, perItemMs: 1, maxInFlight: 1 });
    const started = performance.now();
    const responses = await Promise.all([
      post(server.address, { input: Array.from({ length: 10 }, (_, i) => `q${i}`) }),
      post(server.address, { input: ['one more'] }),
    ]);
    const elapsed = performance.now() - started;
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    // 40 + 10 for the first, then 40 + 1 for the second, which waited for the slot.
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(server.stats().maxQueued).toBe(1);
    expect(server.capacity(64)).toBeCloseTo((64 * 1000) / 104, 6);
  });

  it('runs batches side by side up to maxInFlight', async () => {
    server = await startGpuLikeEmbedder({ fixedMs: 60, perItemMs: 0, maxInFlight: 4 });
    const address = server.address;
    await Promise.all([1, 2, 3, 4].map((i) => post(address, { input: [`t${i}`] })));
    expect(server.stats()).toMatchObject({ requests: 4, maxQueued: 0 });
  });

  it('refuses a batch over its limit, empty inputs and a body that is not JSON, with a message saying what to send', async () => {
    server = await startGpuLikeEmbedder({ fixedMs: 1, maxBatch: 2 });
    const tooMany = await post(server.address, { input: ['a', 'b', 'c'] });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { message: string } }).error.message).toMatch(/limit of 2/);
    expect((await post(server.address, { input: ['a', ' '] })).status).toBe(400);
    expect((await post(server.address, 'not json')).status).toBe(400);
    expect(server.stats().requests).toBe(0);
  });

  it('refuses known vectors of the wrong size when it starts', async () => {
    await expect(startGpuLikeEmbedder({ dimension: 8, vectors: new Map([['x', [1, 0]]]) })).rejects.toThrow(
      /2 dimensions, not 8/,
    );
  });
});
