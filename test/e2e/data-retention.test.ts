import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DecisionRecord } from '@answerbridge/core';
import {
  RedisConversationState,
  RedisDecisionLog,
  RedisEscalationStore,
  createRedis,
  scanKeys,
  type Redis,
} from '@answerbridge/redis';
import { PostgresFaqDrafts, openDatabase, type Pool } from '@answerbridge/database';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const DAY_MS = 86_400_000;

const decision = (conversationId: string, question: string): DecisionRecord => {
  const [channel = '', botId = ''] = conversationId.split('/');
  return {
    at: Date.now(),
    botId,
    channel,
    messageId: randomUUID(),
    conversationId,
    question,
    kind: 'answer',
    reason: 'test',
    entryId: null,
    confidence: null,
    thresholds: { answer: 0.9, suggest: 0.8 },
    scores: [],
  };
};

async function keysUnder(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of scanKeys(redis, pattern)) found.push(...page);
  return found.sort();
}

/** The decision log and the conversation memory keep what people wrote only for the retention (real Redis). */
describe('retention of the decision log and conversation memory', () => {
  const redis = createRedis(inject('services').redisUrl, 'worker');
  const prefix = `abtest-${randomUUID().slice(0, 8)}`;
  afterAll(async () => {
    const keys = await keysUnder(redis, `${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('trims a decision older than the retention when the next one is recorded, and keeps the new one', async () => {
    const log = new RedisDecisionLog(redis, `${prefix}-a`, { retentionMs: DAY_MS });
    // A decision recorded two days ago (its stream id carries the time it was added).
    await redis.xadd(
      `${prefix}-a:decisions`,
      `${Date.now() - 2 * DAY_MS}-0`,
      'd',
      JSON.stringify(decision('wecom/b/old', '两天前的问题')),
    );
    await log.record(decision('wecom/b/new', '今天的问题'));
    expect((await log.recent(10)).map((d) => d.question)).toEqual(['今天的问题']);
    await redis.del(`${prefix}-a:decisions`);
  });

  it('trims old decisions of a quiet bot on the sweep, with nothing new recorded', async () => {
    const log = new RedisDecisionLog(redis, `${prefix}-b`, { retentionMs: DAY_MS });
    await redis.xadd(
      `${prefix}-b:decisions`,
      `${Date.now() - 3 * DAY_MS}-0`,
      'd',
      JSON.stringify(decision('wecom/b/u1', '三天前')),
    );
    await redis.xadd(
      `${prefix}-b:decisions`,
      `${Date.now() - DAY_MS / 2}-0`,
      'd',
      JSON.stringify(decision('wecom/b/u2', '半天前')),
    );
    expect(await log.expire()).toBe(1);
    expect((await log.recent(10)).map((d) => d.question)).toEqual(['半天前']);
    await redis.del(`${prefix}-b:decisions`);
  });

  it('never keeps conversation memory longer than the retention', async () => {
    const memory = new RedisConversationState<{ offered: string[] }>(redis, prefix, 'memory', 5_000);
    await memory.set('wecom/b/u', { offered: ['a'] }, 3_600_000);
    const ttl = await redis.pttl(`${prefix}:conv:wecom/b/u:memory`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });
});

interface Erased {
  deleted: {
    conversations: number;
    escalations: number;
    historyEntries: number;
    decisions: number;
    conversationState: number;
    analyticsRows: number;
    drafts: number;
  };
}

/**
 * POST /api/admin/personal-data/erase end to end: two WeCom askers go through the real pipeline (gateway,
 * worker, Milvus Lite, the local embedder), DingTalk people are seeded through the stores; one person is erased.
 */
describe("erasing one person's data on request", () => {
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let agent: ConsoleClient;
  const logLines: string[] = [];
  const erasePath = '/api/admin/personal-data/erase';
  const wecom = (user: string) => `wecom/${sut.bot.id}/${user}`;
  const prefix = () => sut.config.QUEUE_PREFIX;
  let db: Pool;
  const alicesWording = '密码忘了怎么办呀';
  /** The ids of the review queue's drafts from one conversation (PostgreSQL). */
  const draftsOf = async (conversationId: string) =>
    (
      await db.query<{ id: string }>('SELECT id FROM faq_drafts WHERE conversation_id = $1 ORDER BY id', [
        conversationId,
      ])
    ).rows.map((r) => r.id);
  /** The person's analytics rows in PostgreSQL (events and feedback). */
  const analyticsOf = async (conversationId: string) =>
    (
      await db.query<{ n: number }>(
        `SELECT ((SELECT count(*) FROM analytics_events WHERE conversation_id = $1)
           + (SELECT count(*) FROM analytics_feedback WHERE conversation_id = $1))::int AS n`,
        [conversationId],
      )
    ).rows[0]?.n ?? 0;
  const decisionsOf = async (conversationId: string) =>
    (await new RedisDecisionLog(sut.redis, prefix()).recent(1000)).filter((d) => d.conversationId === conversationId);

  beforeAll(async () => {
    sut = await startSystem(
      { LOG_LEVEL: 'info' },
      () => [],
      (line) => logLines.push(line),
    );
    [admin, agent] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'admin'),
      ConsoleClient.login(sut.console.url, 'agent1'),
    ]);
    db = await openDatabase(sut.config.DATABASE_URL);
    const client = sut.simulator.wecomClient(sut.bot.id);
    for (const user of ['alice', 'bob']) {
      // "密码" gets a "did you mean" list (the bot remembers what it offered); then a question it hands over.
      await client.sendText(user, '密码');
      await sut.simulator.wecom.nextMessageTo(user);
      const before = sut.simulator.wecom.sentTo(user).at(-1)?.seq ?? 0;
      await client.sendText(user, '公司的股票期权怎么行权？');
      await sut.simulator.wecom.nextMessageTo(user, before);
    }
    await sut.idle();
    // DingTalk: carol in a direct chat and in a group, dave in the same group.
    const store = new RedisEscalationStore(sut.redis, prefix(), DAY_MS);
    const decisions = new RedisDecisionLog(sut.redis, prefix());
    for (const [id, person] of [
      ['dingtalk/dt/carol', 'carol'],
      ['dingtalk/dt/cidGroup1==/carol', 'carol'],
      ['dingtalk/dt/cidGroup1==/dave', 'dave'],
    ] as const) {
      await store.open({
        conversationId: id,
        botId: 'dt',
        channel: 'dingtalk',
        senderId: person,
        replyTarget: { channel: 'dingtalk', robotCode: 'dt', chatType: 'direct', staffId: person },
        state: 'waiting',
        reason: 'asked-for-human',
        question: `${person} 的问题`,
        candidates: [],
        escalatedAt: Date.now(),
        agentId: null,
        claimedAt: null,
        resolvedAt: null,
      });
      await store.append(id, { id: randomUUID(), at: Date.now(), from: 'asker', text: `${person} 的问题` });
      await decisions.record(decision(id, `${person} 的问题`));
    }
    // The statistics' copy in PostgreSQL holds the same decisions.
    await sut.console.analyticsCaughtUp();
  });
  afterAll(async () => {
    await db?.end();
    await sut?.stop();
  });

  it('seeded what it erases: escalations, histories, decisions and memory of both askers', async () => {
    for (const user of ['alice', 'bob']) {
      expect(await sut.redis.hget(`${prefix()}:esc:${wecom(user)}`, 'state')).toBe('waiting');
      expect(await sut.redis.llen(`${prefix()}:esc:${wecom(user)}:history`)).toBeGreaterThanOrEqual(2);
      expect((await decisionsOf(wecom(user))).length).toBeGreaterThanOrEqual(2);
      expect(await analyticsOf(wecom(user))).toBe((await decisionsOf(wecom(user))).length);
      expect(await keysUnder(sut.redis, `${prefix()}:conv:${wecom(user)}:*`)).not.toEqual([]);
    }
  });

  it('refuses agents (403), requests without the CSRF token (403) and malformed requests (400)', async () => {
    const person = { channel: 'wecom', botId: sut.bot.id, senderId: 'alice' };
    expect(await agent.call('POST', erasePath, person)).toMatchObject({
      status: 403,
      body: { error: 'CONSOLE.FORBIDDEN' },
    });
    expect(await admin.call('POST', erasePath, person, { csrf: false })).toMatchObject({
      status: 403,
      body: { error: 'CONSOLE.CSRF' },
    });
    expect(await admin.call('POST', erasePath, { ...person, channel: 'email' })).toMatchObject({
      status: 400,
      body: { error: 'CONSOLE.BAD_INPUT' },
    });
    expect(await admin.call('POST', erasePath, { channel: 'wecom', botId: sut.bot.id })).toMatchObject({
      status: 400,
      body: { error: 'CONSOLE.BAD_INPUT' },
    });
    expect(await sut.redis.exists(`${prefix()}:esc:${wecom('alice')}`)).toBe(1);
  });

  it("refuses with 409 while an agent holds one of the person's conversations, and deletes nothing of it", async () => {
    expect((await agent.call('POST', agent.conversationPath(wecom('alice'), 'claim'))).status).toBe(200);
    // The holder saves an answer from it (a draft) and links alice's words to an entry, which an admin approves:
    // the review queue (PostgreSQL) now keeps what alice wrote.
    const saved = await agent.call('POST', agent.conversationPath(wecom('alice'), 'save-faq'), {
      question: '公司的股票期权怎么行权？',
      answer: '股票期权的行权请在 HR 系统的「期权」页面申请。',
    });
    expect(saved.status).toBe(201);
    const linked = await agent.call<{ draft: { id: string } }>(
      'POST',
      agent.conversationPath(wecom('alice'), 'link-entry'),
      { entryId: 'password-change', question: alicesWording },
    );
    expect(linked.status).toBe(201);
    expect((await admin.call('POST', `/api/admin/faq-drafts/${linked.body.draft.id}/approve`)).status).toBe(200);
    expect(await draftsOf(wecom('alice'))).toHaveLength(2);
    const refused = await admin.call<{ error: string; message: string; heldConversations: unknown[] }>(
      'POST',
      erasePath,
      { channel: 'wecom', botId: sut.bot.id, senderId: 'alice' },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('PERSONAL_DATA.WITH_AGENT');
    expect(refused.body.message).toMatch(/^此人有会话正由客服处理/);
    expect(refused.body.heldConversations).toEqual([{ conversationId: wecom('alice'), agentId: 'agent1' }]);
    expect(await sut.redis.hget(`${prefix()}:esc:${wecom('alice')}`, 'state')).toBe('with-agent');
    expect((await decisionsOf(wecom('alice'))).length).toBeGreaterThanOrEqual(2);
    expect(await draftsOf(wecom('alice'))).toHaveLength(2);
    expect((await agent.call('POST', agent.conversationPath(wecom('alice'), 'resolve'))).status).toBe(200);
    await sut.idle();
  });

  it("deletes everything of the person once the conversation is resolved, and nothing of anyone else's", async () => {
    const bobBefore = await keysUnder(sut.redis, `${prefix()}:*bob*`);
    const bobDecisions = await decisionsOf(wecom('bob'));
    const bobAnalytics = await analyticsOf(wecom('bob'));
    const aliceAnalytics = await analyticsOf(wecom('alice'));
    // What a pick of bob's would have proposed for review.
    await new PostgresFaqDrafts(db, DAY_MS).create({
      id: 'p-bob',
      kind: 'phrasing',
      source: 'picked-suggestion',
      status: 'pending',
      knowledgeBase: sut.bot.id,
      botId: sut.bot.id,
      conversationId: wecom('bob'),
      entryId: 'password-change',
      question: '密码咋改',
      answer: '…',
      savedBy: 'asker',
      savedAt: Date.now(),
    });
    const erased = await admin.call<Erased>('POST', erasePath, {
      channel: 'wecom',
      botId: sut.bot.id,
      senderId: 'alice',
    });
    expect(erased.status).toBe(200);
    expect(erased.body.deleted).toMatchObject({ conversations: 1, escalations: 1 });
    expect(erased.body.deleted.historyEntries).toBeGreaterThanOrEqual(4);
    expect(erased.body.deleted.decisions).toBeGreaterThanOrEqual(2);
    expect(erased.body.deleted.conversationState).toBeGreaterThanOrEqual(1);
    expect(erased.body.deleted.analyticsRows).toBe(aliceAnalytics);
    expect(aliceAnalytics).toBeGreaterThanOrEqual(2);
    expect(await analyticsOf(wecom('alice'))).toBe(0);
    expect(await analyticsOf(wecom('bob'))).toBe(bobAnalytics);
    expect(erased.body.deleted.drafts).toBe(2);
    expect(await draftsOf(wecom('alice'))).toEqual([]);
    expect(await draftsOf(wecom('bob'))).toEqual(['p-bob']);
    // The approved wording stays (the entry answers it), and names nobody.
    const learned = await db.query<{ row: unknown }>('SELECT to_jsonb(l) AS row FROM learned_phrasings l');
    expect(learned.rows).toMatchObject([{ row: { wording: alicesWording, entry_id: 'password-change' } }]);
    expect(JSON.stringify(learned.rows)).not.toContain('alice');

    expect(await keysUnder(sut.redis, `${prefix()}:esc:*alice*`)).toEqual([]);
    expect(await keysUnder(sut.redis, `${prefix()}:conv:*alice*`)).toEqual([]);
    expect(await decisionsOf(wecom('alice'))).toEqual([]);
    // Bob: the same keys, the same decisions, still in the queue.
    expect(await keysUnder(sut.redis, `${prefix()}:*bob*`)).toEqual(bobBefore);
    expect(await decisionsOf(wecom('bob'))).toEqual(bobDecisions);
    const queue = await admin.call<{ waiting: { conversationId: string }[] }>('GET', '/api/conversations');
    expect(queue.body.waiting.map((c) => c.conversationId)).toContain(wecom('bob'));

    // The audit line: who asked, whose data, counts; not what the person wrote.
    const audit = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'personal_data_erased');
    expect(audit).toEqual([
      expect.objectContaining({
        by: 'admin',
        person: { channel: 'wecom', botId: sut.bot.id, senderId: 'alice' },
        deleted: erased.body.deleted,
      }),
    ]);
    expect(JSON.stringify(audit)).not.toContain('股票期权');

    // Asked again: nothing left to delete.
    const again = await admin.call<Erased>('POST', erasePath, {
      channel: 'wecom',
      botId: sut.bot.id,
      senderId: 'alice',
    });
    expect(again.body.deleted).toEqual({
      conversations: 0,
      escalations: 0,
      historyEntries: 0,
      decisions: 0,
      conversationState: 0,
      analyticsRows: 0,
      drafts: 0,
    });
  });

  it("deletes a DingTalk person's direct and group conversations (waiting ones too) and keeps the others in the group", async () => {
    const erased = await admin.call<Erased>('POST', erasePath, { channel: 'dingtalk', botId: 'dt', senderId: 'carol' });
    expect(erased.status).toBe(200);
    expect(erased.body.deleted).toMatchObject({
      conversations: 2,
      escalations: 2,
      historyEntries: 2,
      decisions: 2,
      analyticsRows: 2,
    });
    expect(await analyticsOf('dingtalk/dt/cidGroup1==/carol')).toBe(0);
    expect(await analyticsOf('dingtalk/dt/cidGroup1==/dave')).toBe(1);
    expect(await keysUnder(sut.redis, `${prefix()}:esc:*carol*`)).toEqual([]);
    expect(await sut.redis.zrange(`${prefix()}:esc:index:waiting`, 0, -1)).not.toContain('dingtalk/dt/carol');
    expect(await sut.redis.hget(`${prefix()}:esc:dingtalk/dt/cidGroup1==/dave`, 'state')).toBe('waiting');
    expect(await decisionsOf('dingtalk/dt/cidGroup1==/dave')).toHaveLength(1);
  });
});
