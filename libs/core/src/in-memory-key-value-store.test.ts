import { describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore } from './in-memory-key-value-store';

describe('InMemoryKeyValueStore', () => {
  it('expires entries after their TTL, as Redis does', async () => {
    let now = 1_000;
    const store = new InMemoryKeyValueStore(() => now);
    await store.set('a', '1', 100);
    expect(await store.get('a')).toBe('1');
    now += 100;
    expect(await store.get('a')).toBeNull();
    expect(await store.setIfAbsent('a', '2', 100)).toBe(true);
    expect(await store.setIfAbsent('a', '3', 100)).toBe(false);
    expect(await store.get('a')).toBe('2');
  });

  it('deletes only when the value is the expected one', async () => {
    const store = new InMemoryKeyValueStore();
    await store.set('lock', 'mine', 1_000);
    expect(await store.deleteIfEquals('lock', 'theirs')).toBe(false);
    expect(await store.deleteIfEquals('lock', 'mine')).toBe(true);
    expect(await store.get('lock')).toBeNull();
  });
});
