import { describe, expect, it } from 'vitest';
import {
  FakeEmbedder,
  InMemoryKnowledgeDrafts,
  InMemoryKnowledgeRepository,
  InMemoryVectorStore,
} from '@answerbridge/testing';
import { activeEntries } from '../active-entries';
import type { FaqEntry } from '../faq-entry';
import { ingestKnowledgeBase } from '../ingest-knowledge-base';
import type { EntryInputError } from './entry-input';
import { readEntryInput } from './entry-input';
import {
  DraftBusyError,
  DraftNotFoundError,
  DraftNotPublishableError,
  IndexBuildFailedError,
  DraftConflictError,
} from './draft-errors';
import { KnowledgeDrafts } from './knowledge-drafts';

const entry = (id: string, question: string, answer: string, similar: string[] = []): FaqEntry => ({
  id,
  question,
  similar,
  answer,
  tags: [],
});
const password = entry('password', '怎么修改登录密码', '设置 → 账号 → 修改密码。', ['密码忘了怎么办']);
const vpn = entry('vpn', 'VPN 连不上怎么办', '重启 VPN 客户端。');

async function setup() {
  const deps = {
    repository: new InMemoryKnowledgeRepository(),
    drafts: new InMemoryKnowledgeDrafts(),
    store: new InMemoryVectorStore(),
    embedder: new FakeEmbedder(),
    now: () => 1_000,
  };
  // A knowledge base as `kb ingest` left it before the system of record: only the index has it.
  await ingestKnowledgeBase(deps.store, deps.embedder, 'kb', [password, vpn]);
  return { deps, drafts: new KnowledgeDrafts({ ...deps, changes: deps.repository }) };
}

describe('editing a knowledge base through its draft', () => {
  it('collects changes in a draft while the live entries stay as they are, then publishes them as one version', async () => {
    const { deps, drafts } = await setup();
    const created = await drafts.putEntry(
      'kb',
      readEntryInput({ question: '年假有几天', answer: '入职满一年 5 天。', similar: ['年假多少天', ' 年假多少天 '] }),
      'editor1',
    );
    expect(created.id).toMatch(/^faq-[0-9a-f]{12}$/);
    expect(created.similar).toEqual(['年假多少天']);
    await drafts.putEntry(
      'kb',
      { ...readEntryInput({ ...vpn, answer: '先重启 VPN 客户端，再联系 IT。' }), id: 'vpn' },
      'editor2',
    );
    await drafts.addPhrasing('kb', 'password', '改密码', 'editor1');
    await drafts.removePhrasing('kb', 'password', '密码忘了怎么办', 'editor1');

    const live = await drafts.entries('kb', 'live');
    expect(live.entries.map((e) => e.answer)).toEqual([password.answer, vpn.answer]);
    expect(live.draft).toMatchObject({ basedOn: null, createdBy: 'editor1', updatedBy: 'editor1', edits: 4 });
    const draft = await drafts.entries('kb', 'draft');
    expect(draft.entries.map((e) => e.id)).toEqual(['password', 'vpn', created.id]);
    expect(await activeEntries(deps.store, 'kb')).toHaveLength(2);

    const diff = await drafts.diff('kb');
    expect(diff.stale).toBe(false);
    expect(diff.added.map((e) => e.question)).toEqual(['年假有几天']);
    expect(diff.changed.map((c) => [c.after.id, c.fields])).toEqual([
      ['password', ['similar']],
      ['vpn', ['answer']],
    ]);
    expect(diff.changed[0]).toMatchObject({ questionsAdded: ['改密码'], questionsRemoved: ['密码忘了怎么办'] });

    const published = await drafts.publish('kb', 'editor2');
    expect(published.version).toMatchObject({ status: 'published', mode: 'console', publishedBy: 'editor2', added: 1 });
    expect(published.version.changed).toBe(2);
    expect(await deps.drafts.get('kb')).toBeNull();
    const nowLive = await activeEntries(deps.store, 'kb');
    expect(nowLive.find((e) => e.id === 'vpn')?.answer).toBe('先重启 VPN 客户端，再联系 IT。');
    expect(nowLive.find((e) => e.id === 'password')?.similar).toEqual(['改密码']);
    expect((await drafts.entries('kb', 'live')).revision).toBe(published.version.id);
  });

  it('deletes entries in the draft only, and refuses to publish a draft that changes nothing or empties the knowledge base', async () => {
    const { drafts } = await setup();
    await drafts.deleteEntry('kb', 'vpn', 'editor1');
    expect((await drafts.diff('kb')).removed.map((e) => e.id)).toEqual(['vpn']);
    await drafts.deleteEntry('kb', 'password', 'editor1');
    await expect(drafts.publish('kb', 'editor1')).rejects.toThrow(DraftNotPublishableError);
    await drafts.discard('kb');
    await expect(drafts.diff('kb')).rejects.toThrow(DraftNotFoundError);
    await drafts.addPhrasing('kb', 'vpn', 'VPN 连不上怎么办', 'editor1'); // its own question: nothing to add
    await expect(drafts.publish('kb', 'editor1')).rejects.toMatchObject({ why: 'unchanged' });
    await expect(drafts.deleteEntry('kb', 'nothing', 'editor1')).rejects.toMatchObject({
      code: 'KNOWLEDGE.NO_SUCH_ENTRY',
    });
  });

  it('takes in what was published while it was open, and shows and publishes only its own changes', async () => {
    const { deps, drafts } = await setup();
    await drafts.putEntry('kb', readEntryInput({ question: '报销找谁', answer: '找财务。' }), 'editor1');
    // Published meanwhile (another editor's draft, or an approval from the review queue): a new entry, and a
    // similar question for an entry this draft did not touch.
    const other = new KnowledgeDrafts({ ...deps, changes: deps.repository, drafts: new InMemoryKnowledgeDrafts() });
    await other.putEntry('kb', readEntryInput({ question: '打印机在哪', answer: '三楼。' }), 'editor2');
    await other.addPhrasing('kb', 'vpn', 'VPN 老是断线', 'editor2');
    await other.publish('kb', 'editor2');

    const diff = await drafts.diff('kb');
    expect(diff.stale).toBe(false);
    expect(diff.added.map((e) => e.question)).toEqual(['报销找谁']);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([]);
    const view = await drafts.entries('kb', 'draft');
    expect(view.entries.find((e) => e.id === 'vpn')?.similar).toEqual(['VPN 老是断线']);
    await drafts.publish('kb', 'editor1');
    const live = await activeEntries(deps.store, 'kb');
    expect(live.map((e) => e.question).sort()).toEqual(
      ['怎么修改登录密码', 'VPN 连不上怎么办', '打印机在哪', '报销找谁'].sort(),
    );
    expect(live.find((e) => e.id === 'vpn')?.similar).toEqual(['VPN 老是断线']);
  });

  it('refuses, naming the entry, when the draft and a publication since changed the same entry differently', async () => {
    const { deps, drafts } = await setup();
    await drafts.putEntry(
      'kb',
      { ...readEntryInput({ question: 'VPN 连不上怎么办', answer: '重启电脑。' }), id: 'vpn' },
      'editor1',
    );
    const other = new KnowledgeDrafts({ ...deps, changes: deps.repository, drafts: new InMemoryKnowledgeDrafts() });
    await other.putEntry(
      'kb',
      { ...readEntryInput({ question: 'VPN 连不上怎么办', answer: '找 IT。' }), id: 'vpn' },
      'editor2',
    );
    await other.publish('kb', 'editor2');
    await expect(drafts.diff('kb')).rejects.toThrow(DraftConflictError);
    await expect(drafts.publish('kb', 'editor1')).rejects.toMatchObject({
      conflicts: [{ entryId: 'vpn', question: 'VPN 连不上怎么办' }],
    });
    // Nothing is lost: the draft waits for its owner, and what was published stays live.
    expect((await deps.drafts.get('kb'))?.entries.find((e) => e.id === 'vpn')?.answer).toBe('重启电脑。');
    expect((await activeEntries(deps.store, 'kb')).find((e) => e.id === 'vpn')?.answer).toBe('找 IT。');
  });

  it('redoes a change on what another editor saved in between, and gives up in words when it never settles', async () => {
    const { deps, drafts } = await setup();
    await drafts.addPhrasing('kb', 'vpn', '连不上 VPN', 'editor1');
    deps.drafts.refuseNextSaves = 2;
    await drafts.addPhrasing('kb', 'vpn', 'VPN 断了', 'editor2');
    expect((await deps.drafts.get('kb'))?.entries.find((e) => e.id === 'vpn')?.similar).toEqual([
      '连不上 VPN',
      'VPN 断了',
    ]);
    deps.drafts.refuseNextSaves = 99;
    await expect(drafts.addPhrasing('kb', 'vpn', 'VPN 很慢', 'editor2')).rejects.toThrow(DraftBusyError);
  });

  it('refuses entries that are empty, too long, or share a wording with another entry', async () => {
    const { drafts } = await setup();
    const bad = (body: unknown) => {
      try {
        readEntryInput(body);
      } catch (error) {
        return error as EntryInputError;
      }
      throw new Error('accepted');
    };
    expect(bad({ question: '  ', answer: 'x' })).toMatchObject({ field: 'question', problem: 'required' });
    expect(bad({ question: 'q', answer: 42 })).toMatchObject({ field: 'answer', problem: 'not-text' });
    expect(bad({ question: 'q', answer: 'a'.repeat(8_001) })).toMatchObject({ problem: 'too-long', limit: 8_000 });
    expect(bad({ question: 'q', answer: 'a', similar: 'x' })).toMatchObject({ field: 'similar' });
    expect(bad({ question: 'q', answer: 'a', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) })).toMatchObject({
      field: 'tags',
      problem: 'too-many',
    });
    expect(readEntryInput({ question: 'Q', answer: 'a', similar: ['q', 'Ｑ', 'other', 'OTHER'] }).similar).toEqual([
      'other',
    ]);
    await expect(
      drafts.putEntry('kb', readEntryInput({ question: '密码忘了怎么办', answer: '重置。' }), 'editor1'),
    ).rejects.toMatchObject({ problem: 'taken', takenBy: { entryId: 'password' } });
    await expect(drafts.addPhrasing('kb', 'vpn', '怎么修改登录密码', 'editor1')).rejects.toMatchObject({
      field: 'similar',
      problem: 'taken',
    });
  });

  it('keeps the draft when the search index cannot be built, and publishing it again builds it', async () => {
    const { deps } = await setup();
    let down = true;
    const embedder = {
      profile: deps.embedder.profile,
      embed: (texts: string[], kind: Parameters<FakeEmbedder['embed']>[1]) =>
        down ? Promise.reject(new Error('embedding service down')) : deps.embedder.embed(texts, kind),
    };
    const drafts = new KnowledgeDrafts({ ...deps, changes: deps.repository, embedder });
    await drafts.putEntry('kb', readEntryInput({ question: '报销找谁', answer: '找财务。' }), 'editor1');
    await expect(drafts.publish('kb', 'editor1')).rejects.toThrow(IndexBuildFailedError);
    // Askers are still answered from the previous version; the entries are recorded, the version failed.
    expect(await activeEntries(deps.store, 'kb')).toHaveLength(2);
    expect(deps.repository.published.at(-1)).toMatchObject({ status: 'failed' });
    const diff = await drafts.diff('kb');
    expect(diff).toMatchObject({ stale: false, rebuild: true, added: [] });

    down = false;
    const rebuilt = await drafts.publish('kb', 'editor1');
    expect(rebuilt.version).toMatchObject({ status: 'published' });
    expect((await activeEntries(deps.store, 'kb')).map((e) => e.question)).toContain('报销找谁');
    expect(await deps.drafts.get('kb')).toBeNull();
  });

  it('does not hold a clash the knowledge base came with against an edit of something else', async () => {
    const deps = {
      repository: new InMemoryKnowledgeRepository(),
      drafts: new InMemoryKnowledgeDrafts(),
      store: new InMemoryVectorStore(),
      embedder: new FakeEmbedder(),
    };
    await ingestKnowledgeBase(deps.store, deps.embedder, 'kb', [
      entry('x', '问题 X', '答案 X', ['同一个问法']),
      entry('y', '问题 Y', '答案 Y', ['同一个问法']),
    ]);
    const drafts = new KnowledgeDrafts({ ...deps, changes: deps.repository });
    const input = readEntryInput({ question: '问题 X', answer: '新答案 X', similar: ['同一个问法'] });
    expect((await drafts.putEntry('kb', { ...input, id: 'x' }, 'editor1')).answer).toBe('新答案 X');
    await drafts.addPhrasing('kb', 'y', '另一个问法', 'editor1');
    await expect(drafts.addPhrasing('kb', 'x', '问题 Y', 'editor1')).rejects.toMatchObject({ problem: 'taken' });
  });
});
