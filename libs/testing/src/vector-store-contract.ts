import { randomUUID } from 'node:crypto';
import type * as Vitest from 'vitest';
import {
  KnowledgeBaseNotFoundError,
  ProfileMismatchError,
  type IndexedQuestion,
  type VectorStore,
} from '@answerbridge/core';

const profile = 'contract|model|8|none||query';
const axis = (i: number): number[] => Array.from({ length: 8 }, (_, j) => (j === i ? 1 : 0));
const row = (entryId: string, i: number, text: string, answer: string, vector: number[]): IndexedQuestion => ({
  pk: `${entryId}#${i}`,
  entryId,
  text,
  answer,
  meta: { question: text, canonical: i === 0 },
  vector,
});

/** The test functions of the calling file: this module must not import vitest (the e2e global setup loads it). */
export type TestApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'beforeAll' | 'afterAll'>;

/**
 * What every VectorStore promises, run against the in-memory fake (unit tests) and against Milvus Lite
 * (test/e2e/vector-store-contract.test.ts): a fake that drifts from the real store fails here first.
 */
export function vectorStoreContract(
  name: string,
  open: () => Promise<VectorStore>,
  { describe, it, expect, beforeAll, afterAll }: TestApi,
): void {
  describe(`${name} keeps the VectorStore contract`, () => {
    let store: VectorStore;
    const kb = `contract${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      store = await open();
      await store.ready();
    });
    afterAll(async () => {
      for (const v of await store.listVersions(kb)) await store.dropVersion(v.collection);
      await store.close();
    });

    it('builds numbered versions that queries see only once activated', async () => {
      const v1 = await store.createVersion(kb, profile, 8);
      expect(v1).toMatchObject({ knowledgeBase: kb, version: 1, profile, active: false });
      await store.insert(v1.collection, kb, [
        row('password', 0, '怎么修改登录密码', '打开设置修改', axis(0)),
        row('password', 1, '忘记密码怎么办', '打开设置修改', axis(1)),
        row('vpn', 0, 'VPN 连不上怎么办', '重启客户端', axis(2)),
      ]);
      await expect(store.searchDense(kb, profile, axis(0), 3)).rejects.toBeInstanceOf(KnowledgeBaseNotFoundError);
      expect(await store.activeCollection(kb)).toBeNull();
      await store.activate(kb, v1.collection);
      expect(await store.activeCollection(kb)).toBe(v1.collection);
      expect((await store.listVersions(kb)).map((v) => [v.version, v.active])).toEqual([[1, true]]);
    });

    it('searches densely by cosine, refusing vectors of another profile', async () => {
      const hits = await store.searchDense(kb, profile, axis(2), 3);
      expect(hits[0]).toMatchObject({ entryId: 'vpn', text: 'VPN 连不上怎么办', answer: '重启客户端' });
      expect(hits[0]?.score).toBeCloseTo(1, 3);
      await expect(store.searchDense(kb, 'another|profile', axis(2), 3)).rejects.toBeInstanceOf(ProfileMismatchError);
    });

    it('searches by keywords without a vector', async () => {
      const hits = await store.searchKeywords(kb, 'VPN', 3);
      expect(hits[0]?.entryId).toBe('vpn');
      expect(hits[0]?.score).toBeGreaterThan(0);
    });

    it('pages a version with its vectors in key order, reads rows by key, and counts them', async () => {
      const v = await store.createVersion(kb, profile, 8);
      const rows = Array.from({ length: 7 }, (_, i) => row(`paged${i}`, 0, `问题 ${i}`, `答案 ${i}`, axis(i)));
      // Inserted out of key order, in two batches: pages must come back in key order all the same.
      await store.insert(
        v.collection,
        kb,
        [rows[5], rows[1], rows[3]].filter((r) => r !== undefined),
      );
      await store.insert(
        v.collection,
        kb,
        [rows[0], rows[6], rows[2], rows[4]].filter((r) => r !== undefined),
      );
      expect(await store.countRows(v.collection)).toBe(7);
      const seen: IndexedQuestion[] = [];
      let afterPk: string | undefined;
      for (;;) {
        const page = await store.readIndexedRows(v.collection, kb, { ...(afterPk ? { afterPk } : {}), limit: 3 });
        seen.push(...page);
        if (page.length < 3) break;
        afterPk = page[page.length - 1]?.pk;
      }
      expect(seen.map((r) => r.pk)).toEqual(rows.map((r) => r.pk));
      expect(seen[3]).toMatchObject({ entryId: 'paged3', text: '问题 3', answer: '答案 3' });
      expect(seen[3]?.vector.map((x) => Math.round(x))).toEqual(axis(3));
      const picked = await store.readIndexedRows(v.collection, kb, { pks: ['paged6#0', 'paged2#0', 'absent#0'] });
      expect(picked.map((r) => r.pk).sort()).toEqual(['paged2#0', 'paged6#0']);
      expect(await store.readIndexedRows(v.collection, kb, { pks: [] })).toEqual([]);
      expect(await store.readIndexedRows(v.collection, 'another-kb', { limit: 10 })).toEqual([]);
      await store.dropVersion(v.collection);
    });

    it('reads a version and one entry back, without vectors', async () => {
      const collection = (await store.activeCollection(kb)) ?? '';
      const rows = await store.readVersion(collection, kb);
      expect(rows.map((r) => r.entryId).sort()).toEqual(['password', 'password', 'vpn']);
      expect(rows[0]).not.toHaveProperty('vector');
      const entry = await store.readEntry(collection, kb, 'password');
      expect(entry.map((r) => r.text).sort()).toEqual(['忘记密码怎么办', '怎么修改登录密码']);
    });

    it('keeps a confidence model with its version, and drops a version', async () => {
      const collection = (await store.activeCollection(kb)) ?? '';
      expect(await store.activeConfidence(kb)).toBeNull();
      await store.recordConfidence(collection, '{"model":1}');
      expect(await store.activeConfidence(kb)).toBe('{"model":1}');
      expect((await store.listVersions(kb))[0]?.calibrated).toBe(true);
      const v2 = await store.createVersion(kb, profile, 8);
      expect(v2.version).toBe(2);
      await store.dropVersion(v2.collection);
      expect((await store.listVersions(kb)).map((v) => v.version)).toEqual([1]);
    });
  });
}
