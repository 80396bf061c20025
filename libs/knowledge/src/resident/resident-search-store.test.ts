import { ProfileMismatchError, type IndexedQuestion } from '@answerbridge/core';
import { InMemoryKnowledgeChanges, InMemoryVectorStore } from '@answerbridge/testing';
import { describe, expect, it } from 'vitest';
import { ResidentSearchStore, type ResidentSearchEvent, type ResidentSearchSettings } from './resident-search-store';

const profile = 'unit|model|4|none||query';
const axis = (i: number): number[] => Array.from({ length: 4 }, (_, j) => (j === i ? 1 : 0.1));
const row = (entryId: string, i: number, text: string, vector: number[]): IndexedQuestion => ({
  pk: `${entryId}#${i}`,
  entryId,
  text,
  answer: `${entryId} 的答案`,
  meta: { canonical: i === 0 },
  vector,
});

async function versionWith(store: InMemoryVectorStore, kb: string, rows: IndexedQuestion[]): Promise<string> {
  const v = await store.createVersion(kb, profile, 4);
  await store.insert(v.collection, kb, rows);
  await store.activate(kb, v.collection);
  return v.collection;
}

function resident(inner: InMemoryVectorStore, settings: Partial<ResidentSearchSettings> = {}) {
  const events: ResidentSearchEvent[] = [];
  const store = new ResidentSearchStore(inner, {
    maxRows: 1_000,
    checkEveryMs: 60_000,
    onEvent: (e) => events.push(e),
    ...settings,
  });
  const from = () => events.filter((e) => e.kind === 'searched').map((e) => (e.kind === 'searched' ? e.from : ''));
  return { store, events, from };
}

describe('ResidentSearchStore', () => {
  it('answers from the store until the version is in memory, then from memory with the same hits', async () => {
    const inner = new InMemoryVectorStore();
    await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0)), row('vpn', 0, 'VPN 连不上', axis(1))]);
    const { store, events, from } = resident(inner);
    const before = await store.searchDense('hr', profile, axis(1), 5);
    await store.warm('hr');
    const after = await store.searchDense('hr', profile, axis(1), 5);
    expect(from()).toEqual(['store', 'memory']);
    expect(after.map((h) => [h.entryId, h.text, h.answer])).toEqual(before.map((h) => [h.entryId, h.text, h.answer]));
    for (const [i, hit] of after.entries()) expect(hit.score).toBeCloseTo(before[i]?.score ?? NaN, 5);
    expect(events.find((e) => e.kind === 'loaded')).toMatchObject({ knowledgeBase: 'hr', rows: 2, partitioned: false });
    expect(store.residents()).toEqual([{ knowledgeBase: 'hr', collection: 'kb_hr_v1', rows: 2, partitioned: false }]);
  });

  it('refuses a question embedded with another profile, from memory as the store does', async () => {
    const inner = new InMemoryVectorStore();
    await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const { store } = resident(inner);
    await store.warm('hr');
    await expect(store.searchDense('hr', 'other|profile', axis(0), 3)).rejects.toBeInstanceOf(ProfileMismatchError);
  });

  it('sees a row another process added as soon as the addition is announced', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    const collection = await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const reader = resident(inner, { changes });
    const writer = resident(inner, { changes, maxRows: 0 });
    await reader.store.listen();
    await reader.store.warm('hr');
    await writer.store.insert(collection, 'hr', [row('vpn', 0, 'VPN 连不上', axis(2))]);
    expect(changes.announced).toEqual([{ kind: 'rows-added', knowledgeBase: 'hr', collection, pks: ['vpn#0'] }]);
    // At once: from the store while the row is read into memory, from memory once it is in.
    expect((await reader.store.searchDense('hr', profile, axis(2), 1))[0]?.entryId).toBe('vpn');
    await expect.poll(() => reader.store.residents()[0]?.rows).toBe(2);
    expect((await reader.store.searchDense('hr', profile, axis(2), 1))[0]?.entryId).toBe('vpn');
    expect(reader.from().at(-1)).toBe('memory');
  });

  it('leaves a version another process replaced, and loads the new one', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const reader = resident(inner, { changes });
    const writer = resident(inner, { changes, maxRows: 0 });
    await reader.store.listen();
    await reader.store.warm('hr');
    const next = await writer.store.createVersion('hr', profile, 4);
    await writer.store.insert(next.collection, 'hr', [row('payslip', 0, '工资条在哪看', axis(0))]);
    await writer.store.activate('hr', next.collection);
    expect((await reader.store.searchDense('hr', profile, axis(0), 1))[0]?.entryId).toBe('payslip');
    await expect.poll(() => reader.store.residents()[0]?.collection).toBe(next.collection);
    expect((await reader.store.searchDense('hr', profile, axis(0), 1))[0]?.entryId).toBe('payslip');
    expect(reader.events.some((e) => e.kind === 'dropped' && e.reason === 'another version was activated')).toBe(true);
  });

  it('notices rows written without an announcement at its next check', async () => {
    const inner = new InMemoryVectorStore();
    const collection = await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const { store, events } = resident(inner, { checkEveryMs: 0 });
    await store.warm('hr');
    await inner.insert(collection, 'hr', [row('vpn', 0, 'VPN 连不上', axis(3))]);
    // This search is due a check: it finds 2 rows where memory holds 1, drops the copy and reloads it.
    await store.searchDense('hr', profile, axis(3), 1);
    await expect.poll(() => store.residents()[0]?.rows).toBe(2);
    expect(events.some((e) => e.kind === 'dropped' && /holds 2 rows, 1 were known/.test(e.reason))).toBe(true);
    expect((await store.searchDense('hr', profile, axis(3), 1))[0]?.entryId).toBe('vpn');
  });

  it('counts a key written twice as the store does, and keeps the copy (no reload at every check)', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    const collection = await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const reader = resident(inner, { changes, checkEveryMs: 0 });
    const writer = resident(inner, { changes, maxRows: 0 });
    await reader.store.listen();
    await reader.store.warm('hr');
    // Two approvals of the same saved entry insert the same key twice: the store counts 3 rows, holds 2 keys.
    await writer.store.insert(collection, 'hr', [row('saved', 0, '工资条在哪看', axis(1))]);
    await writer.store.insert(collection, 'hr', [row('saved', 0, '工资条在哪看', axis(1))]);
    await expect.poll(() => reader.store.residents()[0]?.rows).toBe(2);
    // Each search is due a check (checkEveryMs 0); each check finds the 3 rows it expects.
    for (let i = 0; i < 3; i++) {
      await reader.store.searchDense('hr', profile, axis(1), 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(reader.events.filter((e) => e.kind === 'dropped' || e.kind === 'loaded').map((e) => e.kind)).toEqual([
      'loaded',
    ]);
    expect(reader.store.residents()[0]?.rows).toBe(2);
  });

  it('takes in its own write once, though it hears its own announcement too', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    const collection = await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const { store, events } = resident(inner, { changes, checkEveryMs: 0 });
    await store.listen();
    await store.warm('hr');
    await store.insert(collection, 'hr', [row('vpn', 0, 'VPN 连不上', axis(2))]);
    await expect.poll(() => store.residents()[0]?.rows).toBe(2);
    for (let i = 0; i < 3; i++) {
      await store.searchDense('hr', profile, axis(2), 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(events.filter((e) => e.kind === 'dropped')).toEqual([]);
  });

  it('asks the store while a due check is out, and checks every copy after a lost connection', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    const collection = await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const { store, from } = resident(inner, { changes });
    await store.listen();
    await store.warm('hr');
    await store.searchDense('hr', profile, axis(0), 1);
    expect(from()).toEqual(['memory']);
    // Written while this process was cut off from the announcements.
    await inner.insert(collection, 'hr', [row('vpn', 0, 'VPN 连不上', axis(2))]);
    changes.gap();
    // The next search starts the check and is answered by the store, which has the new row.
    expect((await store.searchDense('hr', profile, axis(2), 1))[0]?.entryId).toBe('vpn');
    expect(from().at(-1)).toBe('store');
    await expect.poll(() => store.residents()[0]?.rows).toBe(2);
    expect((await store.searchDense('hr', profile, axis(2), 1))[0]?.entryId).toBe('vpn');
    expect(from().at(-1)).toBe('memory');
  });

  it('does not keep a copy of a version replaced while it was loading, and loads the new one', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const next = await inner.createVersion('hr', profile, 4);
    await inner.insert(next.collection, 'hr', [row('payslip', 0, '工资条在哪看', axis(0))]);
    // The activation is announced while the first load reads its pages.
    const slow = Object.create(inner) as InMemoryVectorStore;
    let activated = false;
    slow.readIndexedRows = async (...args) => {
      const page = await inner.readIndexedRows(...args);
      if (!activated) {
        activated = true;
        await inner.activate('hr', next.collection);
        await changes.announce({ kind: 'activated', knowledgeBase: 'hr', collection: next.collection });
      }
      return page;
    };
    const { store, events } = resident(slow, { changes });
    await store.listen();
    await store.warm('hr');
    expect(store.residents()).toEqual([]);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'dropped', reason: 'another version was activated while loading' }),
    );
    // The next search after the short backoff loads the version that is active now.
    await expect
      .poll(async () => {
        await store.searchDense('hr', profile, axis(0), 1);
        return store.residents()[0]?.collection;
      })
      .toBe(next.collection);
  });

  it('leaves a version larger than maxRows to the store', async () => {
    const inner = new InMemoryVectorStore();
    await versionWith(inner, 'hr', [
      row('a', 0, '一', axis(0)),
      row('b', 0, '二', axis(1)),
      row('c', 0, '三', axis(2)),
    ]);
    const { store, events, from } = resident(inner, { maxRows: 2 });
    await store.warm('hr');
    expect(store.residents()).toEqual([]);
    expect(events).toContainEqual({
      kind: 'too-large',
      knowledgeBase: 'hr',
      collection: 'kb_hr_v1',
      rows: 3,
      heldElsewhere: 0,
      maxRows: 2,
    });
    expect((await store.searchDense('hr', profile, axis(2), 1))[0]?.entryId).toBe('c');
    expect(from()).toEqual(['store']);
  });

  it('holds knowledge bases while their rows together fit in maxRows, and leaves the next one to the store', async () => {
    const inner = new InMemoryVectorStore();
    await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0)), row('vpn', 0, 'VPN 连不上', axis(1))]);
    await versionWith(inner, 'it', [row('printer', 0, '打印机卡纸', axis(2)), row('wifi', 0, '连不上 Wi-Fi', axis(3))]);
    const { store, events } = resident(inner, { maxRows: 3 });
    await store.warm('hr');
    await store.warm('it');
    expect(store.residents().map((r) => r.knowledgeBase)).toEqual(['hr']);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'too-large', knowledgeBase: 'it', rows: 2, heldElsewhere: 2 }),
    );
    expect((await store.searchDense('it', profile, axis(2), 1))[0]?.entryId).toBe('printer');
  });

  it('keeps answering from the store when loading fails, and says why', async () => {
    const inner = new InMemoryVectorStore();
    await versionWith(inner, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    const { store, events } = resident(inner);
    inner.failWith(new Error('Milvus is down'));
    await store.warm('hr');
    expect(events).toContainEqual(expect.objectContaining({ kind: 'failed', knowledgeBase: 'hr' }));
    await expect(store.searchDense('hr', profile, axis(0), 1)).rejects.toThrow('Milvus is down');
    inner.failWith(null);
    expect((await store.searchDense('hr', profile, axis(0), 1))[0]?.entryId).toBe('leave');
  });

  it('does not hold a write up when the announcement cannot go out (Redis away), and says so', async () => {
    const inner = new InMemoryVectorStore();
    const collection = await versionWith(inner, 'hr', []);
    const stuck = { announce: () => new Promise<void>(() => undefined), listen: async () => async () => undefined };
    const { store, events } = resident(inner, { changes: stuck, maxRows: 0, announceTimeoutMs: 20 });
    await store.insert(collection, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    expect(await inner.countRows(collection)).toBe(1);
    expect(events).toContainEqual({ kind: 'not-announced', knowledgeBase: 'hr', reason: 'timed out' });
  });

  it('with maxRows 0 is the store, and still announces what it writes', async () => {
    const inner = new InMemoryVectorStore();
    const changes = new InMemoryKnowledgeChanges();
    const collection = await versionWith(inner, 'hr', []);
    const { store, from } = resident(inner, { changes, maxRows: 0 });
    await store.insert(collection, 'hr', [row('leave', 0, '年假怎么请', axis(0))]);
    await store.warm('hr');
    expect(store.residents()).toEqual([]);
    expect((await store.searchDense('hr', profile, axis(0), 1))[0]?.entryId).toBe('leave');
    expect(from()).toEqual([]);
    expect(changes.announced.map((c) => c.kind)).toEqual(['rows-added']);
  });
});
