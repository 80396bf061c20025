import { describe, expect, it } from 'vitest';
import { KnowledgeChangedError, type Embedder } from '@answerbridge/core';
import { FakeEmbedder, InMemoryKnowledgeRepository, InMemoryVectorStore } from '@answerbridge/testing';
import { activeEntries } from './active-entries';
import type { FaqEntry } from './faq-entry';
import { planImport } from './import/import-plan';
import { ingestKnowledgeBase } from './ingest-knowledge-base';
import { publishEntries, recordedEntries } from './publish-entries';

const entry = (id: string, question: string, answer: string): FaqEntry => ({
  id,
  question,
  similar: [],
  answer,
  tags: [],
});
const password = entry('password', '怎么修改登录密码', '设置 → 账号 → 修改密码。');
const vpn = entry('vpn', 'VPN 连不上怎么办', '重启 VPN 客户端。');
const leave = entry('leave', '年假有几天', '入职满一年 5 天。');

function setup() {
  return {
    repository: new InMemoryKnowledgeRepository(),
    store: new InMemoryVectorStore(),
    embedder: new FakeEmbedder(),
  };
}

describe('publishing a knowledge base through its system of record', () => {
  it('imports the active index version the first time, then reads the recorded entries', async () => {
    const deps = setup();
    // A knowledge base from before the system of record: only the index has it.
    await ingestKnowledgeBase(deps.store, deps.embedder, 'kb', [password, vpn]);
    const first = await recordedEntries(deps.repository, deps.store, 'kb');
    expect(first).toMatchObject({ from: 'index', revision: null });
    expect(first.entries.map((e) => e.id)).toEqual(['password', 'vpn']);

    const plan = planImport(first.entries, [leave], 'upsert');
    const published = await publishEntries(deps, {
      knowledgeBase: 'kb',
      basedOn: first.revision,
      entries: plan.entries,
      plan,
      by: 'ops',
      source: 'kb ingest leave.txt',
      mode: 'upsert',
    });
    // Upsert removed nothing: the entries the index had are recorded with the new one.
    expect(published.version).toMatchObject({ status: 'published', added: 1, removed: 0, entryCount: 3 });
    expect(deps.repository.published[0]).toMatchObject({ status: 'published', number: 2, publishedBy: 'ops' });
    const again = await recordedEntries(deps.repository, deps.store, 'kb');
    expect(again).toMatchObject({ from: 'database', revision: 1 });
    expect(again.entries.map((e) => e.id).sort()).toEqual(['leave', 'password', 'vpn']);
    expect((await activeEntries(deps.store, 'kb')).map((e) => e.id).sort()).toEqual(['leave', 'password', 'vpn']);
  });

  it('refuses a publication planned on a revision someone else has published over', async () => {
    const deps = setup();
    const base = await recordedEntries(deps.repository, deps.store, 'kb');
    const planA = planImport(base.entries, [password], 'upsert');
    const planB = planImport(base.entries, [vpn], 'upsert');
    const publication = { knowledgeBase: 'kb', basedOn: base.revision, by: 'a', source: 's', mode: 'upsert' as const };
    await publishEntries(deps, { ...publication, entries: planA.entries, plan: planA });
    await expect(publishEntries(deps, { ...publication, entries: planB.entries, plan: planB })).rejects.toBeInstanceOf(
      KnowledgeChangedError,
    );
    expect((await recordedEntries(deps.repository, deps.store, 'kb')).entries.map((e) => e.id)).toEqual(['password']);
  });

  it('keeps the recorded entries and marks the version failed when the index cannot be built', async () => {
    const deps = setup();
    const broken: Embedder = {
      profile: deps.embedder.profile,
      embed: async () => {
        throw new Error('embedder down');
      },
    };
    const plan = planImport([], [password, vpn], 'upsert');
    await expect(
      publishEntries(
        { ...deps, embedder: broken },
        { knowledgeBase: 'kb', basedOn: null, entries: plan.entries, plan, by: 'ops', source: 's', mode: 'upsert' },
      ),
    ).rejects.toThrow('embedder down');
    expect(deps.repository.published[0]).toMatchObject({ status: 'failed', failure: 'embedder down' });
    expect((await recordedEntries(deps.repository, deps.store, 'kb')).entries.map((e) => e.id)).toEqual([
      'password',
      'vpn',
    ]);
  });
});
