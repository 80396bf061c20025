import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@answerbridge/database';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

interface Refusal {
  error: string;
  message: string;
}
interface Shown {
  username: string;
  displayName: string;
  role: string;
  disabled: boolean;
}

/**
 * Console accounts in PostgreSQL (issue 14): the users file seeds the database, admins manage accounts and
 * roles through the API, and each role is held, by requests sent as agent, editor and admin on real
 * PostgreSQL, Redis, Milvus Lite and the local embedder. An agent cannot approve (or so publish) knowledge; an editor can,
 * but cannot manage accounts.
 */
describe('console accounts and roles', () => {
  let sut: SystemUnderTest;
  let db: Pool;
  let agent: ConsoleClient;
  let admin: ConsoleClient;
  let editor: ConsoleClient;
  const held = () => `wecom/${sut.bot.id}/accounts-asker`;

  beforeAll(async () => {
    sut = await startSystem();
    db = createPool(sut.config.DATABASE_URL, { max: 2 });
    [agent, admin] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'agent1'),
      ConsoleClient.login(sut.console.url, 'admin'),
    ]);
  });
  afterAll(async () => {
    await db?.end();
    await sut?.stop();
  });

  it('moved the users file into PostgreSQL on the first start', async () => {
    const { rows } = await db.query(
      'SELECT username, role, created_by, password_hash LIKE $1 AS hashed FROM console_users ORDER BY username',
      ['scrypt$%'],
    );
    expect(rows).toEqual([
      { username: 'admin', role: 'admin', created_by: 'users-file', hashed: true },
      { username: 'agent1', role: 'agent', created_by: 'users-file', hashed: true },
      { username: 'agent2', role: 'agent', created_by: 'users-file', hashed: true },
    ]);
  });

  it('lets an admin add an editor, and refuses bad input in words', async () => {
    const created = await admin.call<{ user: Shown; message: string }>('POST', '/api/admin/users', {
      username: 'editor1',
      displayName: '知识编辑小周',
      role: 'editor',
      password: 'editor-pass-1',
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ username: 'editor1', role: 'editor', disabled: false });
    expect(created.body.message).toMatch(/^已添加账号 editor1/);
    editor = await ConsoleClient.login(sut.console.url, 'editor1', 'editor-pass-1');
    expect((await editor.call<{ role: string }>('GET', '/api/me')).body.role).toBe('editor');

    const again = await admin.call<Refusal>('POST', '/api/admin/users', {
      username: 'editor1',
      displayName: 'x',
      role: 'agent',
      password: 'another-pass',
    });
    expect(again).toMatchObject({ status: 409, body: { error: 'CONSOLE.USER_EXISTS' } });
    expect(again.body.message).toMatch(/^账号 editor1 已存在/);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ username: 'x1', displayName: 'x', role: 'owner', password: 'long-enough' }, 'CONSOLE.BAD_ROLE', /^角色须为/],
      [{ username: 'x1', displayName: 'x', role: 'agent', password: 'short' }, 'CONSOLE.BAD_PASSWORD', /^密码长度须为/],
      [
        { username: 'X Y', displayName: 'x', role: 'agent', password: 'long-enough' },
        'CONSOLE.BAD_USERNAME',
        /^账号名/,
      ],
      [{ username: 'x1', displayName: '', role: 'agent', password: 'long-enough' }, 'CONSOLE.BAD_INPUT', /displayName/],
    ];
    for (const [body, code, words] of cases) {
      const res = await admin.call<Refusal>('POST', '/api/admin/users', body);
      expect(res.status, code).toBe(400);
      expect(res.body.error).toBe(code);
      expect(res.body.message).toMatch(words);
    }
    // The list shows accounts without their password hashes.
    const list = await admin.call<{ users: Record<string, unknown>[] }>('GET', '/api/admin/users');
    expect(list.body.users.map((u) => u['username'])).toEqual(['admin', 'agent1', 'agent2', 'editor1']);
    for (const u of list.body.users) expect(Object.keys(u)).not.toContain('passwordHash');
  });

  it('refuses account management to agents and editors (403, CONSOLE.FORBIDDEN)', async () => {
    for (const who of [agent, editor]) {
      const calls = [
        await who.call<Refusal>('GET', '/api/admin/users'),
        await who.call<Refusal>('POST', '/api/admin/users', {
          username: 'sneaky',
          displayName: 'x',
          role: 'admin',
          password: 'long-enough',
        }),
        await who.call<Refusal>('POST', '/api/admin/users/agent2', { role: 'admin' }),
        await who.call<Refusal>('POST', '/api/admin/users/admin/password', { password: 'taken-over-1' }),
      ];
      for (const res of calls) {
        expect(res.status, who.username).toBe(403);
        expect(res.body).toEqual({
          error: 'CONSOLE.FORBIDDEN',
          message: expect.stringMatching(/^仅管理员可以执行此操作/),
        });
      }
    }
    const { rows } = await db.query("SELECT count(*)::int AS n FROM console_users WHERE username = 'sneaky'");
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('lets an agent submit a draft but not approve it; an editor approves, and saves live', async () => {
    await sut.simulator.wecomClient(sut.bot.id).sendText('accounts-asker', '我要转人工');
    await sut.simulator.wecom.nextMessageTo('accounts-asker');
    await sut.idle();
    expect((await agent.call('POST', agent.conversationPath(held(), 'claim'))).status).toBe(200);
    const saved = await agent.call<{ status: string; draft: { id: string } }>(
      'POST',
      agent.conversationPath(held(), 'save-faq'),
      { question: '办公室几点开门？', answer: '工作日早上八点开门。' },
    );
    expect(saved).toMatchObject({ status: 201, body: { status: 'draft' } });
    const draftId = saved.body.draft.id;

    for (const [method, path] of [
      ['GET', '/api/admin/faq-drafts'],
      ['GET', `/api/admin/faq-drafts/${draftId}`],
      ['POST', `/api/admin/faq-drafts/${draftId}/approve`],
      ['POST', `/api/admin/faq-drafts/${draftId}/reject`],
    ] as const) {
      const res = await agent.call<Refusal>(method, path);
      expect(res.status, path).toBe(403);
      expect(res.body.error).toBe('CONSOLE.FORBIDDEN');
      expect(res.body.message).toMatch(/^仅知识编辑或管理员可以执行此操作/);
    }
    expect((await editor.call<{ status: string }>('GET', `/api/admin/faq-drafts/${draftId}`)).body.status).toBe(
      'pending',
    );
    const approved = await editor.call<{ status: string; draft: { decidedBy: string } }>(
      'POST',
      `/api/admin/faq-drafts/${draftId}/approve`,
    );
    expect(approved).toMatchObject({ status: 200, body: { status: 'live', draft: { decidedBy: 'editor1' } } });
  });

  it('opens the knowledge pages (知识库) to an editor, not to an agent', async () => {
    expect((await editor.call('GET', '/api/knowledge/bots')).status).toBe(200);
    const refused = await agent.call<Refusal>('GET', '/api/knowledge/bots');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('CONSOLE.FORBIDDEN');
  });

  it('ends the sessions of an account whose role changes, and it logs in again with the new role', async () => {
    const agent2 = await ConsoleClient.login(sut.console.url, 'agent2');
    const changed = await admin.call<{ user: Shown }>('POST', '/api/admin/users/agent2', {
      role: 'editor',
      displayName: '小王（编辑）',
    });
    expect(changed).toMatchObject({ status: 200, body: { user: { role: 'editor', displayName: '小王（编辑）' } } });
    expect((await agent2.call<Refusal>('GET', '/api/me')).status).toBe(401);
    const again = await ConsoleClient.login(sut.console.url, 'agent2');
    expect((await again.call<{ role: string }>('GET', '/api/me')).body.role).toBe('editor');
    const { rows } = await db.query("SELECT role, updated_by FROM console_users WHERE username = 'agent2'");
    expect(rows[0]).toEqual({ role: 'editor', updated_by: 'admin' });
  });

  it('disables and enables an account', async () => {
    const agent2 = await ConsoleClient.login(sut.console.url, 'agent2');
    expect((await admin.call('POST', '/api/admin/users/agent2', { disabled: true })).status).toBe(200);
    expect((await agent2.call('GET', '/api/me')).status).toBe(401);
    const refused = await ConsoleClient.attemptLogin(sut.console.url, 'agent2', 'answerbridge-demo');
    expect(refused.status).toBe(401);
    // A disabled agent is offered to nobody as a transfer target.
    const agents = await admin.call<{ username: string }[]>('GET', '/api/agents');
    expect(agents.body.map((a) => a.username)).not.toContain('agent2');
    expect((await admin.call('POST', '/api/admin/users/agent2', { disabled: false })).status).toBe(200);
    expect((await ConsoleClient.attemptLogin(sut.console.url, 'agent2', 'answerbridge-demo')).status).toBe(200);
    expect((await admin.call<Refusal>('POST', '/api/admin/users/nobody', { disabled: true })).body.error).toBe(
      'CONSOLE.NO_SUCH_USER',
    );
  });

  it('resets a password: old sessions and the old password stop working', async () => {
    const before = await ConsoleClient.login(sut.console.url, 'agent1');
    const reset = await admin.call<{ message: string }>('POST', '/api/admin/users/agent1/password', {
      password: 'new-agent-pass',
    });
    expect(reset.status).toBe(200);
    expect(reset.body.message).toMatch(/^已重置 agent1 的密码/);
    expect((await before.call('GET', '/api/me')).status).toBe(401);
    expect((await ConsoleClient.attemptLogin(sut.console.url, 'agent1', 'answerbridge-demo')).status).toBe(401);
    agent = await ConsoleClient.login(sut.console.url, 'agent1', 'new-agent-pass');
  });

  it('never leaves the console without an admin', async () => {
    for (const change of [{ disabled: true }, { role: 'editor' }]) {
      const res = await admin.call<Refusal>('POST', '/api/admin/users/admin', change);
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('CONSOLE.LAST_ADMIN');
      expect(res.body.message).toMatch(/^admin 是最后一位可登录的管理员/);
    }
    expect((await admin.call<{ role: string }>('GET', '/api/me')).body.role).toBe('admin');
  });

  it('keeps what admins changed when the console starts again with the users file', async () => {
    await sut.restart();
    // The file still says agent1's password is answerbridge-demo: the database, changed since, wins.
    expect((await ConsoleClient.attemptLogin(sut.console.url, 'agent1', 'new-agent-pass')).status).toBe(200);
    expect((await ConsoleClient.attemptLogin(sut.console.url, 'agent1', 'answerbridge-demo')).status).toBe(401);
    const editorAgain = await ConsoleClient.login(sut.console.url, 'editor1', 'editor-pass-1');
    expect((await editorAgain.call<{ role: string }>('GET', '/api/me')).body.role).toBe('editor');
  });
});
