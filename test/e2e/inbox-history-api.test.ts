import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRecentTurns, type QuickReply, type RecentTurn } from '@answerbridge/redis';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

interface Detail {
  conversationId: string;
  channel: string;
  asker: string;
  chatType: string;
  group: string | null;
  reason: string;
  escalatedAt: number;
  claimedAt: number | null;
  history: { id: string; from: string; text: string; at: number }[];
  earlier: RecentTurn[];
}

const DAY_MS = 86_400_000;

/**
 * What an agent picking up a conversation gets from the API: the exchange with the bot before the
 * handover (kept per conversation, capped, under the retention, erased with the person), and the quick
 * replies admins keep, with bad input refused in words and nothing lost.
 */
describe('inbox API: the history before a handover, and quick replies', () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let agent: ConsoleClient;
  const conversation = (asker: string) => `wecom/${sut.bot.id}/${asker}`;
  const turnsKey = (asker: string) => `${sut.config.QUEUE_PREFIX}:conv:${conversation(asker)}:turns`;
  const ask = async (asker: string, text: string) => {
    const before = sut.simulator.wecom.sentTo(asker).at(-1)?.seq ?? 0;
    await sut.simulator.wecomClient(sut.bot.id).sendText(asker, text);
    return sut.simulator.wecom.nextMessageTo(asker, before);
  };
  const detail = async (asker: string) => {
    const res = await agent.call<Detail>('GET', agent.conversationPath(conversation(asker)));
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    sut = await startSystem({ DATA_RETENTION_DAYS: '7' });
    [admin, agent] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'admin'),
      ConsoleClient.login(sut.console.url, 'agent1'),
    ]);
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('after 没用: the question and the answer that did not help, with times and the confidence, then the handover', async () => {
    const answer = await ask('nothelpful', '怎么更改登录密码?');
    await ask('nothelpful', '没用');
    await sut.idle();
    const c = await detail('nothelpful');
    expect(c).toMatchObject({ channel: 'wecom', asker: 'nothelpful', chatType: 'direct', group: null });
    expect(c.reason).toBe('answer-not-helpful');
    expect(c.earlier.map((t) => [t.from, t.text, t.decision])).toEqual([
      ['asker', '怎么更改登录密码?', undefined],
      ['bot', answer.content, 'answer'],
    ]);
    expect(c.earlier[1]?.confidence).toBeGreaterThan(0);
    for (const t of c.earlier) expect(t.at).toBeLessThanOrEqual(c.escalatedAt);
    // The message that triggered it is in the handover's own history, once: not repeated among the earlier turns.
    expect(c.history.filter((h) => h.text === '没用')).toHaveLength(1);
    expect(c.earlier.some((t) => t.text === '没用')).toBe(false);
  });

  it('after 转人工: the suggestions the bot offered before', async () => {
    const offered = await ask('afterlist', '密码');
    await ask('afterlist', '我要转人工');
    await sut.idle();
    const c = await detail('afterlist');
    expect(c.reason).toBe('asked-for-human');
    expect(c.earlier.map((t) => [t.from, t.text, t.decision])).toEqual([
      ['asker', '密码', undefined],
      ['bot', offered.content, 'suggest'],
    ]);
  });

  it('a second handover: the earlier turns are those since the first (which is in the history), in time order', async () => {
    await ask('twice', '我要转人工');
    await sut.idle();
    expect((await agent.call('POST', agent.conversationPath(conversation('twice'), 'claim'))).status).toBe(200);
    expect((await agent.call('POST', agent.conversationPath(conversation('twice'), 'resolve'))).status).toBe(200);
    await sut.idle();
    const answer = await ask('twice', '怎么更改登录密码?');
    await ask('twice', '还是要找人工客服');
    await sut.idle();
    const c = await detail('twice');
    expect(c.earlier.map((t) => [t.from, t.text])).toEqual([
      ['asker', '怎么更改登录密码?'],
      ['bot', answer.content],
    ]);
    // The first handover is in the history, before the turns since.
    const first = c.history.find((h) => h.text === '我要转人工');
    expect(first?.at).toBeLessThan(c.earlier[0]?.at ?? 0);
    expect(c.history.filter((h) => h.text === '还是要找人工客服')).toHaveLength(1);
  });

  it('keeps the last 20 turns per conversation, under the retention, and erases them with the person', async () => {
    // The store itself: 25 turns pushed, the last 20 kept, expiring within DATA_RETENTION_DAYS.
    const store = new RedisRecentTurns(sut.redis, sut.config.QUEUE_PREFIX, 7 * DAY_MS);
    const many: RecentTurn[] = Array.from({ length: 25 }, (_, i) => ({
      id: `m${i}`,
      messageId: `m${i}`,
      at: i,
      from: 'asker',
      text: `第 ${i} 句`,
    }));
    await store.record(conversation('capped'), many);
    const kept = await store.list(conversation('capped'));
    expect(kept.map((t) => t.id)).toEqual(many.slice(5).map((t) => t.id));
    const ttl = await sut.redis.pttl(turnsKey('capped'));
    expect(ttl).toBeGreaterThan(6 * DAY_MS);
    expect(ttl).toBeLessThanOrEqual(7 * DAY_MS);
    // What the worker wrote is under the retention too.
    const workerTtl = await sut.redis.pttl(turnsKey('nothelpful'));
    expect(workerTtl).toBeGreaterThan(0);
    expect(workerTtl).toBeLessThanOrEqual(7 * DAY_MS);

    // The erasure of the person takes them (the conversation is waiting, not held).
    expect(await sut.redis.exists(turnsKey('afterlist'))).toBe(1);
    const erased = await admin.call<{ deleted: { conversationState: number } }>(
      'POST',
      '/api/admin/personal-data/erase',
      { channel: 'wecom', botId: sut.bot.id, senderId: 'afterlist' },
    );
    expect(erased.status).toBe(200);
    expect(erased.body.deleted.conversationState).toBeGreaterThanOrEqual(1);
    expect(await sut.redis.exists(turnsKey('afterlist'))).toBe(0);
    // Someone else's stay.
    expect(await sut.redis.exists(turnsKey('nothelpful'))).toBe(1);
  });

  it('quick replies: agents read them, admins add, change and delete them', async () => {
    expect(await agent.call('GET', '/api/quick-replies')).toEqual({ status: 200, body: [] });
    const created = await admin.call<QuickReply>('POST', '/api/admin/quick-replies', {
      title: '  问候 ',
      text: '您好，我是客服，\n很高兴为您服务。',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: '问候',
      text: '您好，我是客服，\n很高兴为您服务。',
      updatedBy: 'admin',
    });
    const second = await admin.call<QuickReply>('POST', '/api/admin/quick-replies', {
      title: '稍等',
      text: '请稍等。',
    });
    expect(second.status).toBe(201);
    const listed = await agent.call<QuickReply[]>('GET', '/api/quick-replies');
    expect(listed.body.map((q) => q.title).sort()).toEqual(['稍等', '问候'].sort());
    expect(await sut.redis.hlen(`${sut.config.QUEUE_PREFIX}:quick-replies`)).toBe(2);

    const changed = await admin.call<QuickReply>('POST', `/api/admin/quick-replies/${second.body.id}`, {
      title: '稍等',
      text: '请稍等，我查一下。',
    });
    expect(changed).toMatchObject({ status: 200, body: { id: second.body.id, text: '请稍等，我查一下。' } });
    expect((await admin.call('POST', `/api/admin/quick-replies/${second.body.id}/delete`)).status).toBe(200);
    expect((await agent.call<QuickReply[]>('GET', '/api/quick-replies')).body.map((q) => q.id)).toEqual([
      created.body.id,
    ]);
  });

  it('quick replies: bad input and the wrong people are refused in words, and nothing changes', async () => {
    const before = (await agent.call<QuickReply[]>('GET', '/api/quick-replies')).body;
    const create = (body: unknown, client = admin, options: { csrf?: boolean } = {}) =>
      client.call<{ error: string; message: string }>('POST', '/api/admin/quick-replies', body, options);
    expect(await create({ title: '问候', text: '你好' }, agent)).toMatchObject({
      status: 403,
      body: { error: 'CONSOLE.FORBIDDEN', message: expect.stringMatching(/^仅管理员可以执行此操作/) },
    });
    expect(await create({ title: '问候', text: '你好' }, admin, { csrf: false })).toMatchObject({
      status: 403,
      body: { error: 'CONSOLE.CSRF' },
    });
    for (const [body, detail] of [
      [{ text: '没有标题' }, 'title is required'],
      [{ title: '   ', text: '空白标题' }, 'title is required'],
      [{ title: '无内容' }, 'text is required'],
      [{ title: 42, text: '数字标题' }, 'title is required'],
      [{ title: '标'.repeat(41), text: '太长' }, 'title is longer than 40 characters'],
      [{ title: '长', text: '字'.repeat(2001) }, 'text is longer than 2000 characters'],
      [{ title: '换\n行', text: '标题不能换行' }, 'title holds control characters'],
      [{ title: '控制', text: 'bell \u0007' }, 'text holds control characters'],
      [['title', 'text'], 'the body must be a JSON object'],
    ] as const) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error).toBe('CONSOLE.BAD_INPUT');
      expect(res.body.message).toMatch(/^输入有误（/);
      expect(res.body.message).toContain(detail);
    }
    // Not JSON at all.
    const raw = await fetch(`${sut.console.url}/api/admin/quick-replies`, {
      method: 'POST',
      headers: { cookie: admin.cookieHeader, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
      body: '{"title": "断了',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { message: string }).message).toMatch(/^请求格式有误/);
    // Unknown ids: 404 in words, for a change and a delete.
    for (const path of ['/api/admin/quick-replies/nope', '/api/admin/quick-replies/nope/delete']) {
      const res = await admin.call<{ error: string; message: string }>('POST', path, { title: 'x', text: 'y' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'CONSOLE.NO_QUICK_REPLY', message: expect.stringMatching(/^快捷回复不存在/) });
    }
    // A bad change leaves the reply as it was.
    const first = before[0];
    if (!first) throw new Error('the test before left one quick reply');
    expect((await admin.call('POST', `/api/admin/quick-replies/${first.id}`, { title: '', text: 'x' })).status).toBe(
      400,
    );
    expect((await agent.call<QuickReply[]>('GET', '/api/quick-replies')).body).toEqual(before);
  });

  it('quick replies: at most 200, the 201st refused with the reason', async () => {
    const existing = (await agent.call<QuickReply[]>('GET', '/api/quick-replies')).body.length;
    for (let i = existing; i < 200; i++)
      expect(
        (await admin.call('POST', '/api/admin/quick-replies', { title: `第 ${i} 条`, text: `内容 ${i}` })).status,
      ).toBe(201);
    const refused = await admin.call<{ error: string; message: string }>('POST', '/api/admin/quick-replies', {
      title: '多一条',
      text: '放不下了',
    });
    expect(refused).toEqual({
      status: 409,
      body: { error: 'CONSOLE.QUICK_REPLIES_FULL', message: expect.stringMatching(/^快捷回复已达上限（200 条）/) },
    });
    expect((await agent.call<QuickReply[]>('GET', '/api/quick-replies')).body).toHaveLength(200);
  });
});
