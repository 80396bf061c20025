import { describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore } from './in-memory-key-value-store';
import { SharedTokenCache } from './shared-token-cache';

/** The in-memory store, with a hook that lets a test run "another process" right after one of our reads. */
class InterleavingStore extends InMemoryKeyValueStore {
  afterGet: ((key: string) => Promise<void>) | undefined;

  override async get(key: string) {
    const value = await super.get(key);
    await this.afterGet?.(key);
    return value;
  }
}

describe('SharedTokenCache', () => {
  it('fetches once and serves the stored token afterwards', async () => {
    const store = new InterleavingStore();
    let fetches = 0;
    const cache = new SharedTokenCache(
      store,
      'tok',
      async () => ({ token: `t${++fetches}`, expiresInSeconds: 7200 }),
      1_000,
    );
    expect(await cache.get()).toBe('t1');
    expect(await cache.get()).toBe('t1');
    expect(fetches).toBe(1);
    expect(await store.get('tok:refresh')).toBeNull();
  });

  it('does not fetch again when another process stored a token between our read and our lock', async () => {
    const store = new InterleavingStore();
    let fetches = 0;
    const cache = new SharedTokenCache(
      store,
      'tok',
      async () => ({ token: `ours${++fetches}`, expiresInSeconds: 7200 }),
      1_000,
    );
    // Our read sees no token; right after it, the other process stores its token and releases its lock.
    store.afterGet = async (key) => {
      if (key !== 'tok') return;
      store.afterGet = undefined;
      await store.set('tok', 'theirs', 60_000);
    };
    expect(await cache.get()).toBe('theirs');
    expect(fetches).toBe(0);
    expect(await store.get('tok:refresh')).toBeNull();
  });

  it('invalidates only the token that failed, not a fresher one', async () => {
    const store = new InterleavingStore();
    const cache = new SharedTokenCache(store, 'tok', async () => ({ token: 'fresh', expiresInSeconds: 7200 }), 1_000);
    await store.set('tok', 'fresh', 60_000);
    await cache.invalidate('stale');
    expect(await store.get('tok')).toBe('fresh');
    await cache.invalidate('fresh');
    expect(await store.get('tok')).toBeNull();
  });

  it('gives a clear retryable error when another process holds the lock past the wait', async () => {
    const store = new InterleavingStore();
    await store.set('tok:refresh', 'someone-else', 60_000);
    const cache = new SharedTokenCache(store, 'tok', async () => ({ token: 'never', expiresInSeconds: 7200 }), 50);
    await expect(cache.get()).rejects.toMatchObject({ code: 'TOKEN.WAIT', retryable: true });
  });
});
