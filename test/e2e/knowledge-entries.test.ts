import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

interface Entry {
  id: string;
  question: string;
  similar: string[];
  answer: string;
  category?: string;
  tags: string[];
}
interface Listing {
  view: 'live' | 'draft';
  draft: { basedOn: number | null; edits: number; createdBy: string; updatedBy: string } | null;
  revision: number | null;
  total: number;
  found: number;
  entries: Entry[];
}
interface Version {
  id: number;
  status: string;
  number: number | null;
  collection: string | null;
  mode: string;
  source: string;
  publishedBy: string;
  added: number;
  changed: number;
  removed: number;
  live: boolean;
  indexed: boolean;
}
interface Refusal {
  error: string;
  message: string;
}
interface HitTest {
  decision: { kind: string; entryId: string | null };
  candidates: { question: string; entryId: string }[];
}

const canteen = {
  question: '食堂几点开饭？',
  answer: '午饭 11:30 开始，晚饭 17:30 开始。',
  similar: ['食堂什么时候开饭'],
};

/**
 * The 条目 tab's API on the real parts (PostgreSQL, Milvus Lite, the local embedder): an editor's changes wait in a draft
 * while askers are answered from the live version; publishing makes a version the bot answers from, the
 * history says who did what, rollback goes back, and bad or stale input is refused in words, losing nothing.
 */
describe('editing knowledge entries through a draft (条目)', () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let editor: ConsoleClient;
  const path = (rest: string) => `/api/knowledge/${sut.bot.id}${rest}`;
  const list = async (client: ConsoleClient, query = '') =>
    (await client.call<Listing>('GET', path(`/entries${query}`))).body;
  const hitTest = async (question: string) =>
    (await editor.call<HitTest>('POST', path('/hit-test'), { question })).body;
  const versions = async () => (await editor.call<{ versions: Version[] }>('GET', path('/versions'))).body.versions;

  beforeAll(async () => {
    sut = await startSystem();
    admin = await ConsoleClient.login(sut.console.url, 'admin');
    editor = await ConsoleClient.createAccount(sut.console.url, {
      username: 'editor1',
      displayName: '知识编辑小周',
      role: 'editor',
      password: 'editor-pass-1',
    });
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('keeps changes in a draft until they are published, then the bot answers with them and the history says who', async () => {
    const live = await list(editor, '?view=live');
    expect(live).toMatchObject({ view: 'live', draft: null, total: 36 });
    const password = live.entries.find((e) => e.question === '如何修改登录密码？')!;
    expect(password).toBeDefined();
    const found = await list(editor, `?q=${encodeURIComponent('登录密码')}`);
    expect(found.found).toBeGreaterThanOrEqual(1);
    expect(found.entries.map((e) => e.id)).toContain(password.id);

    const before = await hitTest('食堂几点开饭');
    expect(before.candidates[0]?.question).not.toBe(canteen.question);

    const added = await editor.call<{ entry: Entry }>('POST', path('/draft/entries'), {
      ...canteen,
      category: '行政',
      tags: ['食堂'],
    });
    expect(added.status).toBe(201);
    const changed = await editor.call<{ entry: Entry }>('PUT', path(`/draft/entries/${password.id}`), {
      ...password,
      answer: `${password.answer}\n忘记旧密码请联系 IT。`,
    });
    expect(changed.status).toBe(200);
    const phrasing = await editor.call<{ entry: Entry }>('POST', path(`/draft/entries/${password.id}/similar`), {
      wording: '密码过期了怎么重置',
    });
    expect(phrasing.body.entry.similar).toContain('密码过期了怎么重置');

    // Askers are still answered from the live version, and the live view is as it was.
    expect((await list(editor, '?view=live')).entries.find((e) => e.id === password.id)?.answer).toBe(password.answer);
    expect((await hitTest('食堂几点开饭')).candidates[0]?.question).not.toBe(canteen.question);
    const draft = await list(editor);
    expect(draft).toMatchObject({ view: 'draft', total: 37, draft: { createdBy: 'editor1', updatedBy: 'editor1' } });
    // Hit testing against the draft searches it as the bot will once it is published (a preview index).
    const againstDraft = (
      await editor.call<HitTest & { searched: string }>('POST', path('/hit-test'), {
        question: '食堂几点开饭',
        against: 'draft',
      })
    ).body;
    expect(againstDraft.searched).toBe('draft');
    expect(againstDraft.decision.kind).toBe('answer');
    expect(againstDraft.candidates[0]?.question).toBe(canteen.question);
    expect((await hitTest('食堂几点开饭')).candidates[0]?.question).not.toBe(canteen.question);

    // The draft is in PostgreSQL: a restart of every app loses none of it.
    await sut.restart();
    editor = await ConsoleClient.login(sut.console.url, 'editor1', 'editor-pass-1');
    admin = await ConsoleClient.login(sut.console.url, 'admin');
    expect((await list(editor)).total).toBe(37);

    const diff = (
      await editor.call<{
        stale: boolean;
        added: Entry[];
        changed: { after: Entry; fields: string[]; questionsAdded: string[] }[];
        removed: Entry[];
      }>('GET', path('/draft/diff'))
    ).body;
    expect(diff.stale).toBe(false);
    expect(diff.added.map((e) => e.question)).toEqual([canteen.question]);
    expect(diff.changed).toHaveLength(1);
    expect(diff.changed[0]).toMatchObject({ fields: ['answer', 'similar'], questionsAdded: ['密码过期了怎么重置'] });
    expect(diff.removed).toEqual([]);

    const published = await editor.call<{ version: Version; message: string }>('POST', path('/draft/publish'));
    expect(published.status).toBe(200);
    expect(published.body.message).toMatch(/^已发布：新增 1、修改 1、删除 0/);
    expect((await list(editor)).draft).toBeNull();

    const after = await hitTest('食堂几点开饭');
    expect(after.decision.kind).toBe('answer');
    expect(after.candidates[0]?.question).toBe(canteen.question);

    const [newest] = await versions();
    expect(newest).toMatchObject({
      mode: 'console',
      publishedBy: 'editor1',
      status: 'published',
      added: 1,
      changed: 1,
      removed: 0,
      live: true,
    });
    const changes = (
      await editor.call<{ changes: { entryId: string; change: string; changedBy: string }[] }>(
        'GET',
        path(`/versions/${newest!.id}/changes`),
      )
    ).body.changes;
    expect(changes.map((c) => [c.change, c.changedBy])).toEqual([
      ['added', 'editor1'],
      ['changed', 'editor1'],
    ]);
  });

  it('rolls back; a draft open meanwhile takes the rollback in, and is refused only where both changed one entry', async () => {
    const [first] = await versions();
    const live = await list(editor, '?view=live');
    const vpn = live.entries.find((e) => e.question.includes('VPN'))!;
    await editor.call('DELETE', path(`/draft/entries/${vpn.id}`));
    const second = await editor.call<{ version: Version }>('POST', path('/draft/publish'));
    expect(second.status).toBe(200);
    expect((await list(editor, '?view=live')).total).toBe(36);

    // An editor's draft in progress while an admin rolls back (which brings the VPN entry back).
    const other = live.entries.find((e) => e.id !== vpn.id)!;
    await editor.call('POST', path(`/draft/entries/${other.id}/similar`), { wording: '另一种问法' });
    const rolledBack = await admin.call<{ message: string; to: { collection: string } }>(
      'POST',
      path(`/versions/${first!.id}/rollback`),
    );
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body.message).toMatch(/^已回滚/);
    expect(rolledBack.body.to.collection).toBe(first!.collection);
    expect((await list(editor, '?view=live')).total).toBe(37);
    expect((await versions())[0]).toMatchObject({ mode: 'rollback', publishedBy: 'admin', added: 1, live: true });

    // The draft takes the rollback in: its diff is its own change alone (it would not delete VPN again).
    const diff = await editor.call<{ stale: boolean; added: unknown[]; removed: unknown[]; changed: unknown[] }>(
      'GET',
      path('/draft/diff'),
    );
    expect(diff.body).toMatchObject({ stale: false, added: [], removed: [] });
    expect(diff.body.changed).toHaveLength(1);

    // The same entry changed by the draft and by an import published meanwhile: refused, naming it.
    await editor.call('PUT', path(`/draft/entries/${other.id}`), { ...other, answer: '草稿里的新答案。' });
    const csv = new TextEncoder().encode(`问题,答案\n${other.question},导入的新答案。\n`);
    const imported = await fetch(`${sut.console.url}/api/knowledge/${sut.bot.id}/import/preview?name=x.csv`, {
      method: 'POST',
      headers: { cookie: admin.cookieHeader, 'x-csrf-token': admin.csrf, 'content-type': 'application/octet-stream' },
      body: csv,
    });
    const { previewId } = (await imported.json()) as { previewId: string };
    expect((await admin.call('POST', path('/import/publish'), { previewId })).status).toBe(200);
    const conflict = await editor.call<Refusal>('POST', path('/draft/publish'));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: 'KNOWLEDGE.DRAFT_CONFLICT' });
    expect(conflict.body.message).toContain(other.question);
    expect(conflict.body.message).toMatch(/请先放弃草稿/);
    expect((await list(editor, '?view=live')).entries.find((e) => e.id === other.id)?.answer).toBe('导入的新答案。');
    expect((await editor.call('DELETE', path('/draft'))).status).toBe(200);
    expect((await list(editor)).draft).toBeNull();

    const [current] = await versions();
    const again = await admin.call<Refusal>('POST', path(`/versions/${current!.id}/rollback`));
    expect(again).toMatchObject({ status: 409, body: { error: 'KNOWLEDGE.VERSION_ACTIVE' } });
    // The index of the second version is pruned: it cannot be made live again, and nothing changes.
    const store = new MilvusVectorStore({ address: sut.config.MILVUS_ADDRESS });
    await store.ready();
    await store.dropVersion(second.body.version.collection!);
    await store.close();
    const gone = await admin.call<Refusal>('POST', path(`/versions/${second.body.version.id}/rollback`));
    expect(gone).toMatchObject({ status: 409, body: { error: 'KNOWLEDGE.VERSION_GONE' } });
    expect(gone.body.message).toMatch(/检索索引已被清理/);
    expect((await versions()).find((v) => v.id === second.body.version.id)).toMatchObject({ indexed: false });
    expect((await list(editor, '?view=live')).total).toBe(37);
  });

  it('refuses bad input, strangers and missing CSRF tokens in words, and loses nothing of the draft', async () => {
    const entry = (await list(editor)).entries[0]!;
    await editor.call('POST', path(`/draft/entries/${entry.id}/similar`), { wording: '保留的问法' });
    const kept = await list(editor);
    const cases: [string, 'POST' | 'PUT' | 'GET', string, unknown, RegExp][] = [
      ['empty question', 'POST', '/draft/entries', { question: '  ', answer: '答' }, /请填写标准问题/],
      ['no answer', 'POST', '/draft/entries', { question: '新问题' }, /请填写答案/],
      ['long answer', 'PUT', `/draft/entries/${entry.id}`, { ...entry, answer: '长'.repeat(8001) }, /答案太长/],
      [
        'similar not a list',
        'POST',
        '/draft/entries',
        { question: '新问题', answer: '答', similar: 'x' },
        /相似问题格式不对/,
      ],
      ['taken wording', 'POST', '/draft/entries', { question: entry.question, answer: '答' }, /已经是条目/],
      ['bad view', 'GET', '/entries?view=all', undefined, /view 只能是/],
      ['bad version', 'GET', '/versions/abc/changes', undefined, /版本编号/],
      ['bad against', 'POST', '/hit-test', { question: '年假', against: 'tomorrow' }, /against 只能是/],
      ['empty wording', 'POST', `/draft/entries/${entry.id}/similar`, { wording: ' ' }, /请填写问法/],
    ];
    for (const [name, method, rest, body, words] of cases) {
      const res = await editor.call<Refusal>(method, path(rest), body);
      expect(res.status, name).toBe(400);
      expect(res.body.message, name).toMatch(words);
    }
    const missing = await editor.call<Refusal>('PUT', path('/draft/entries/no-such-entry'), {
      question: 'q',
      answer: 'a',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/草稿中没有条目 no-such-entry/);
    const huge = await editor.call<Refusal>('POST', path('/draft/entries'), {
      question: 'q',
      answer: 'a'.repeat(200_000),
    });
    expect(huge.status).toBe(413);
    expect((await editor.call('POST', path('/draft/publish'), undefined, { csrf: false })).status).toBe(403);
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    for (const [method, rest] of [
      ['GET', '/entries'],
      ['POST', '/draft/entries'],
      ['POST', '/draft/publish'],
      ['GET', '/versions'],
    ] as const) {
      const res = await agent.call<Refusal>(method, path(rest), method === 'POST' ? canteen : undefined);
      expect(res.status, `${method} ${rest}`).toBe(403);
      expect(res.body.message).toMatch(/仅知识库编辑和管理员/);
    }
    expect((await agent.call('POST', path(`/versions/1/rollback`))).status).toBe(403);
    // Nothing refused reached the draft.
    expect(await list(editor)).toEqual(kept);
  });
});
