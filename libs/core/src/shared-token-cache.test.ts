import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from './ports';
import { SharedTokenCache } from './shared-token-cache';

/** A map-backed store; `beforeGet` lets a test run "another process" between two of our calls. */
class MapStore implements KeyValueStore {
  readonly values = new Map<string, string>();
  beforeGet: ((key: string) => void) | undefined;

  async get(key: string) {
    const value = this.values.get(key) ?? null;
    this.beforeGet?.(key);
    return value;
  }
  async setIfAbsent(key: string, value: string) {
    if (this.values.has(key)) return false;
    this.values.set(key, value);
    return true;
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async deleteIfEquals(key: string, expected: string) {
    if (this.values.get(key) !== expected) return false;
    this.values.delete(key);
    return true;
  }
}

describe('SharedTokenCache', () => {
  it('fetches once and serves the stored token afterwards', async () => {
    const store = new MapStore();
    let fetches = 0;
    const cache = new SharedTokenCache(store, 'tok', async () => ({ token: `t${++fetches}`, expiresInSeconds: 7200 }), 1_000);
    expect(await cache.get()).toBe('t1');
    expect(await cache.get()).toBe('t1');
    expect(fetches).toBe(1);
    expect(store.values.has('tok:refresh')).toBe(false);
  });

  it('does not fetch again when another process stored a token between our read and our lock', async () => {
    const store = new MapStore();
    let fetches = 0;
    const cache = new SharedTokenCache(store, 'tok', async () => ({ token: `ours${++fetches}`, expiresInSeconds: 7200 }), 1_000);
    // Our read sees no token; right after it, the other process stores its token and releases its lock.
    store.beforeGet = (key) => {
      if (key !== 'tok') return;
      store.beforeGet = undefined;
      store.values.set('tok', 'theirs');
    };
    expect(await cache.get()).toBe('theirs');
    expect(fetches).toBe(0);
    expect(store.values.has('tok:refresh')).toBe(false);
  });

  it('invalidates only the token that failed, not a fresher one', async () => {
    const store = new MapStore();
    const cache = new SharedTokenCache(store, 'tok', async () => ({ token: 'fresh', expiresInSeconds: 7200 }), 1_000);
    store.values.set('tok', 'fresh');
    await cache.invalidate('stale');
    expect(store.values.get('tok')).toBe('fresh');
    await cache.invalidate('fresh');
    expect(store.values.has('tok')).toBe(false);
  });

  it('gives a clear retryable error when another process holds the lock past the wait', async () => {
    const store = new MapStore();
    store.values.set('tok:refresh', 'someone-else');
    const cache = new SharedTokenCache(store, 'tok', async () => ({ token: 'never', expiresInSeconds: 7200 }), 50);
    await expect(cache.get()).rejects.toMatchObject({ code: 'TOKEN.WAIT', retryable: true });
  });
});
