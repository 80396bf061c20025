import { randomUUID } from 'node:crypto';
import { AnswerbridgeError } from './errors';
import type { KeyValueStore } from './ports';

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An access token shared by every process through the store, refreshed by exactly one of them at a
 * time (a lock in the store), so replicas never churn each other's token (docs/protocols/wecom.md pitfall
 * 5; DingTalk the same). Tokens are refreshed five minutes before they expire.
 */
export class SharedTokenCache {
  private readonly lockKey: string;

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly fetchToken: () => Promise<FetchedToken>,
    private readonly waitMs: number,
  ) {
    this.lockKey = `${key}:refresh`;
  }

  async get(): Promise<string> {
    const deadline = Date.now() + this.waitMs;
    for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
      const cached = await this.store.get(this.key);
      if (cached) return cached;
      const lock = randomUUID();
      if (await this.store.setIfAbsent(this.lockKey, lock, this.waitMs + 1_000)) {
        try {
          // Check again under the lock: another process may have stored a fresh token between our read
          // and our lock (it released the lock right after storing), and fetching again would churn it.
          const storedMeanwhile = await this.store.get(this.key);
          if (storedMeanwhile) return storedMeanwhile;
          const { token, expiresInSeconds } = await this.fetchToken();
          await this.store.set(this.key, token, Math.max(60, expiresInSeconds - 300) * 1000);
          return token;
        } finally {
          await this.store.deleteIfEquals(this.lockKey, lock);
        }
      }
      if (Date.now() > deadline)
        throw new AnswerbridgeError('TOKEN.WAIT', 'timed out waiting for another process to refresh the token', true);
      await delay(wait);
    }
  }

  /** Drops the token only if it is still the one that failed: another process may have stored a fresh one. */
  async invalidate(token: string): Promise<void> {
    await this.store.deleteIfEquals(this.key, token);
  }
}
