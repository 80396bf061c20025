import { AnswerbridgeError } from '@answerbridge/core';
import type { EmbedInputKind, Embedder } from './embedder';

export class EmbedderUnavailableError extends AnswerbridgeError {
  constructor(message: string) {
    super('EMBEDDING.UNAVAILABLE', message, true);
  }
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long it stays open before one probe is let through. */
  cooldownMs: number;
  now?: () => number;
  onStateChange?: (state: 'closed' | 'open' | 'half-open') => void;
}

/**
 * Fails fast while the embedder is down, so a dead GPU server costs each question nothing instead of
 * a timeout: after `failures` errors in a row the circuit opens; after `cooldownMs` one call probes
 * (half-open) and its outcome closes or reopens it.
 */
export class CircuitBreakerEmbedder implements Embedder {
  private state: 'closed' | 'open' | 'half-open' = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly inner: Embedder,
    private readonly options: CircuitBreakerOptions,
  ) {}

  get profile() {
    return this.inner.profile;
  }

  get circuit(): 'closed' | 'open' | 'half-open' {
    return this.state;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private set(state: 'closed' | 'open' | 'half-open'): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onStateChange?.(state);
  }

  async embed(texts: string[], kind: EmbedInputKind): Promise<number[][]> {
    if (this.state === 'open') {
      if (this.now() - this.openedAt < this.options.cooldownMs || this.probing)
        throw new EmbedderUnavailableError('embedder circuit open');
      this.set('half-open');
    }
    if (this.state === 'half-open') {
      if (this.probing) throw new EmbedderUnavailableError('embedder circuit half-open: probe in flight');
      this.probing = true;
    }
    try {
      const vectors = await this.inner.embed(texts, kind);
      this.consecutive = 0;
      this.set('closed');
      return vectors;
    } catch (error) {
      // Only failures of the service count; a bad input (non-retryable) says nothing about its health.
      if (!(error instanceof AnswerbridgeError) || error.retryable) {
        this.consecutive++;
        if (this.state === 'half-open' || this.consecutive >= this.options.failures) {
          this.openedAt = this.now();
          this.set('open');
        }
      }
      throw error;
    } finally {
      this.probing = false;
    }
  }
}
