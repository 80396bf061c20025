import { describe, expect, it } from 'vitest';
import { KnowledgeChangedError, type KnowledgePublication } from '@answerbridge/core';
import { FakeEmbedder, InMemoryKnowledgeRepository, InMemoryVectorStore } from '@answerbridge/testing';
import { activeEntries } from './active-entries';
import type { FaqEntry } from './faq-entry';
import { ingestKnowledgeBase } from './ingest-knowledge-base';
import type { LearnedPhrasing } from './learned-phrasing';
import { recordAdditions } from './record-approval';

const payday: FaqEntry = { id: 'payday', question: '几号发工资', similar: [], answer: '每月 10 日。', tags: [] };
const vpn: FaqEntry = { id: 'vpn', question: 'VPN 连不上', similar: [], answer: '重启客户端。', tags: [] };
const saved: FaqEntry = {
  id: 'saved-1',
  kind: 'faq',
  question: '股票期权怎么行权',
  similar: [],
  answer: '在 HR 系统申请。',
  tags: ['saved-by-agent'],
  provenance: { savedBy: 'agent1', savedAt: 1, approvedBy: 'editor1', approvedAt: 2 },
};
const learned: LearnedPhrasing = {
  id: 'p-1',
  entryId: 'payday',
  text: '工资啥时候到账',
  source: 'picked-suggestion',
  savedBy: 'asker',
  savedAt: 3,
  approvedBy: 'editor1',
  approvedAt: 4,
};

async function setup() {
  const deps = { repository: new InMemoryKnowledgeRepository(), store: new InMemoryVectorStore() };
  await ingestKnowledgeBase(deps.store, new FakeEmbedder(), 'kb', [payday, vpn]);
  return deps;
}

describe('recording what an editor approved among the recorded entries', () => {
  it('records the entries of the index the first time, with the approved entry, against the active version', async () => {
    const deps = await setup();
    const version = await recordAdditions(deps, 'kb', {
      entries: [saved],
      phrasings: [],
      replaceEntries: true,
      by: 'editor1',
      source: '审核通过 d-1',
    });
    expect(version).toMatchObject({ mode: 'console', status: 'published', number: 1, added: 1, changed: 0 });
    expect(version).toMatchObject({ publishedBy: 'editor1', source: '审核通过 d-1', removed: 0 });
    expect((await deps.repository.current('kb'))?.entries).toEqual([...(await activeEntries(deps.store, 'kb')), saved]);
  });

  it('adds an approved phrasing to its entry, once: approving it again publishes nothing', async () => {
    const deps = await setup();
    const meta = { entries: [], phrasings: [learned], replaceEntries: true, by: 'editor1', source: '审核通过 p-1' };
    expect(await recordAdditions(deps, 'kb', meta)).toMatchObject({ changed: 1, added: 0 });
    const recorded = (await deps.repository.current('kb'))!.entries.find((e) => e.id === 'payday');
    expect(recorded?.similar).toEqual([learned.text]);
    expect(await recordAdditions(deps, 'kb', meta)).toBeNull();
    // A phrasing whose entry is not recorded has nothing to join.
    expect(
      await recordAdditions(deps, 'kb', { ...meta, phrasings: [{ ...learned, id: 'p-2', entryId: 'gone' }] }),
    ).toBeNull();
  });

  it('replaces an entry of the same id on approval, but keeps what is recorded when moving old data in', async () => {
    const deps = await setup();
    const base = { phrasings: [], by: 'editor1', source: 's' };
    await recordAdditions(deps, 'kb', { ...base, entries: [saved], replaceEntries: true });
    const resaved = { ...saved, answer: '新的答案。' };
    expect(await recordAdditions(deps, 'kb', { ...base, entries: [resaved], replaceEntries: false })).toBeNull();
    expect(await recordAdditions(deps, 'kb', { ...base, entries: [resaved], replaceEntries: true })).toMatchObject({
      changed: 1,
    });
    expect((await deps.repository.current('kb'))!.entries.find((e) => e.id === 'saved-1')?.answer).toBe('新的答案。');
  });

  it('plans again when someone published meanwhile, and gives up with the conflict after a few tries', async () => {
    const deps = await setup();
    let collisions = 1;
    const publish = deps.repository.publish.bind(deps.repository);
    deps.repository.publish = async (p: KnowledgePublication) => {
      if (collisions-- > 0) throw new KnowledgeChangedError('kb', p.basedOn, 99);
      return publish(p);
    };
    const additions = { entries: [saved], phrasings: [], replaceEntries: true, by: 'e', source: 's' };
    expect(await recordAdditions(deps, 'kb', additions)).toMatchObject({ added: 1 });
    collisions = 100;
    await expect(recordAdditions(deps, 'kb', { ...additions, entries: [vpn, { ...saved, id: 'x' }] })).rejects.toThrow(
      KnowledgeChangedError,
    );
  });
});
