import { describe, expect, it } from 'vitest';
import { CircuitBreakerEmbedder, EmbedderUnavailableError } from './circuit-breaker';
import { EmbeddingError, type EmbedInputKind, type Embedder } from './embedder';
import { resolveProfile } from './model-profile';

class Flaky implements Embedder {
  readonly profile = resolveProfile('e5-small');
  up = false;
  calls = 0;
  async embed(texts: string[], _kind: EmbedInputKind) {
    this.calls++;
    if (!this.up) throw new EmbeddingError('connection refused', true);
    return texts.map(() => [1]);
  }
}

describe('CircuitBreakerEmbedder', () => {
  it('opens after N failures, fails fast while open, probes once after the cooldown, and closes on success', async () => {
    let now = 0;
    const inner = new Flaky();
    const states: string[] = [];
    const breaker = new CircuitBreakerEmbedder(inner, {
      failures: 3,
      cooldownMs: 1_000,
      now: () => now,
      onStateChange: (s) => states.push(s),
    });
    for (let i = 0; i < 3; i++) await expect(breaker.embed(['q'], 'query')).rejects.toThrow('connection refused');
    expect(breaker.circuit).toBe('open');
    await expect(breaker.embed(['q'], 'query')).rejects.toBeInstanceOf(EmbedderUnavailableError);
    expect(inner.calls).toBe(3);
    now = 1_000;
    await expect(breaker.embed(['q'], 'query')).rejects.toThrow('connection refused'); // the probe fails: open again
    expect(breaker.circuit).toBe('open');
    now = 2_000;
    inner.up = true;
    expect(await breaker.embed(['q'], 'query')).toEqual([[1]]);
    expect(breaker.circuit).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('does not count bad input against the service', async () => {
    const inner: Embedder = {
      profile: resolveProfile('e5-small'),
      embed: async () => Promise.reject(new EmbeddingError('empty input', false)),
    };
    const breaker = new CircuitBreakerEmbedder(inner, { failures: 1, cooldownMs: 1_000 });
    await expect(breaker.embed([''], 'query')).rejects.toThrow('empty input');
    expect(breaker.circuit).toBe('closed');
  });
});
