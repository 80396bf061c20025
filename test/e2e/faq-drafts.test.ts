import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresKnowledgeRepository, openDatabase } from '@answerbridge/database';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { ConsoleClient } from '../support/console-client';
import { runKb } from '../support/run-kb';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

interface Draft {
  id: string;
  status: string;
  conversationId: string;
  question: string;
  answer: string;
  savedBy: string;
  decidedBy?: string;
}

/**
 * Issue 10, defect 3: an agent could put words into the bot's mouth through a conversation someone else
 * held, and whatever an agent saved went live for every asker at once. On real Redis, Milvus Lite, the local embedder
 * and the WeCom simulator: the holder (or an admin) alone may save; an agent's save is a draft the bot does
 * not use until an admin approves it; `kb diff` names who saved and who approved each entry.
 */
describe('FAQ drafts from the agent inbox', () => {
  const services = inject('services');
  let sut: SystemUnderTest;
  let agent1: ConsoleClient;
  let agent2: ConsoleClient;
  let admin: ConsoleClient;
  let store: MilvusVectorStore;
  const held = () => `wecom/${sut.bot.id}/holder-asker`;
  // The attacker's words and the holder's answer are for the same question, which the sample FAQ lacks.
  const injected = {
    question: '公司的股票期权怎么行权？',
    answer: '请把身份证照片和银行卡号发到 options-hr@example.net 办理行权。',
  };
  const drafted = { question: '公司的股票期权怎么行权？', answer: '股票期权的行权请在 HR 系统的「期权」页面申请。' };
  const rejected = { question: '可以带宠物来办公室吗？', answer: '可以，每周五是宠物日。' };
  const byAdmin = { question: '公司年会在哪里举办？', answer: '今年的年会在滨江会展中心举办。' };
  const kbEnv = () => ({
    MILVUS_ADDRESS: services.milvusAddress,
    EMBEDDING_BASE_URL: services.embeddingBaseUrl,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: sut.config.QUEUE_PREFIX,
    BOTS_FILE: sut.config.BOTS_FILE,
    DATABASE_URL: sut.config.DATABASE_URL,
  });
  let askers = 0;
  /** What the bot answers a new asker (a new conversation each time, so no escalation is in the way). */
  const botAnswers = async (question: string) => {
    const asker = `fresh-asker-${++askers}`;
    await sut.simulator.wecomClient(sut.bot.id).sendText(asker, question);
    return (await sut.simulator.wecom.nextMessageTo(asker)).content;
  };
  /** Every answer text the active version holds (what the bot can answer with). */
  const liveAnswers = async () => {
    const active = (await store.listVersions(sut.bot.id)).find((v) => v.active);
    return (await store.readVersion(active!.collection, sut.bot.id)).map((r) => r.answer);
  };
  const pendingDrafts = async () => (await admin.call<{ drafts: Draft[] }>('GET', '/api/admin/faq-drafts')).body.drafts;

  beforeAll(async () => {
    sut = await startSystem();
    store = new MilvusVectorStore({ address: services.milvusAddress });
    await store.ready();
    [agent1, agent2, admin] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'agent1'),
      ConsoleClient.login(sut.console.url, 'agent2'),
      ConsoleClient.login(sut.console.url, 'admin'),
    ]);
    // An operator's reindex: v2 is active, so `kb diff` (v1 → v2) later shows what the console added to it.
    expect((await runKb(['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id], kbEnv())).code).toBe(0);
    await sut.simulator.wecomClient(sut.bot.id).sendText('holder-asker', '我要转人工');
    await sut.simulator.wecom.nextMessageTo('holder-asker');
    await sut.idle();
    expect((await agent1.call('POST', agent1.conversationPath(held(), 'claim'))).status).toBe(200);
  });
  afterAll(async () => {
    await store?.close();
    await sut?.stop();
  });

  it('refuses a save through a conversation another agent holds, and nothing reaches the bot', async () => {
    const before = await liveAnswers();
    const attack = await agent2.call<{ error: string; message: string }>(
      'POST',
      agent2.conversationPath(held(), 'save-faq'),
      injected,
    );
    expect(attack.status).toBe(403);
    expect(attack.body.error).toBe('CONSOLE.NOT_HOLDER');
    expect(attack.body.message).toMatch(/^只有接手此会话的客服或管理员可以保存为 FAQ（此会话由 agent1 处理）/);

    // Nor through one nobody holds yet.
    await sut.simulator.wecomClient(sut.bot.id).sendText('waiting-asker', '我要转人工');
    await sut.simulator.wecom.nextMessageTo('waiting-asker');
    await sut.idle();
    const unheld = await agent2.call<{ error: string }>(
      'POST',
      agent2.conversationPath(`wecom/${sut.bot.id}/waiting-asker`, 'save-faq'),
      injected,
    );
    expect(unheld.status).toBe(409);

    expect(await liveAnswers()).toEqual(before);
    expect(await pendingDrafts()).toEqual([]);
    expect(await botAnswers(injected.question)).not.toBe(injected.answer);
  });

  it("keeps the holder's save a draft the bot does not use until an admin approves it", async () => {
    const before = await liveAnswers();
    const saved = await agent1.call<{ status: string; draft: Draft; message: string }>(
      'POST',
      agent1.conversationPath(held(), 'save-faq'),
      drafted,
    );
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({
      status: 'draft',
      draft: { status: 'pending', savedBy: 'agent1', conversationId: held(), ...drafted },
    });
    expect(saved.body.message).toMatch(/^已提交 FAQ 草稿/);
    expect(await liveAnswers()).toEqual(before);
    expect(await botAnswers(drafted.question)).not.toBe(drafted.answer);

    const id = saved.body.draft.id;
    expect((await pendingDrafts()).map((d) => d.id)).toEqual([id]);
    // Only an admin reviews: not the agent who saved it, not another agent, not a page without the CSRF token.
    expect((await agent1.call('GET', '/api/admin/faq-drafts')).status).toBe(403);
    expect((await agent1.call('POST', `/api/admin/faq-drafts/${id}/approve`)).status).toBe(403);
    expect((await agent2.call('POST', `/api/admin/faq-drafts/${id}/approve`)).status).toBe(403);
    expect((await admin.call('POST', `/api/admin/faq-drafts/${id}/approve`, undefined, { csrf: false })).status).toBe(
      403,
    );
    expect(await botAnswers(drafted.question)).not.toBe(drafted.answer);

    const approved = await admin.call<{ draft: Draft }>('POST', `/api/admin/faq-drafts/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.draft).toMatchObject({ status: 'approved', savedBy: 'agent1', decidedBy: 'admin' });
    expect(await botAnswers(drafted.question)).toBe(drafted.answer);
    expect((await admin.call('POST', `/api/admin/faq-drafts/${id}/approve`)).status).toBe(409);
    expect((await admin.call('POST', `/api/admin/faq-drafts/${id}/reject`)).status).toBe(409);
    expect(await pendingDrafts()).toEqual([]);
    expect((await admin.call('POST', '/api/admin/faq-drafts/d-nope/approve')).status).toBe(404);
  });

  it('never puts a rejected draft live; an admin may save from any conversation and it is live at once', async () => {
    const saved = await agent1.call<{ draft: Draft }>('POST', agent1.conversationPath(held(), 'save-faq'), rejected);
    const id = saved.body.draft.id;
    const refused = await admin.call<{ draft: Draft }>('POST', `/api/admin/faq-drafts/${id}/reject`, {
      reason: '不符合公司规定',
    });
    expect(refused.status).toBe(200);
    expect(refused.body.draft).toMatchObject({
      status: 'rejected',
      decidedBy: 'admin',
      rejectReason: '不符合公司规定',
    });
    expect((await admin.call('POST', `/api/admin/faq-drafts/${id}/approve`)).status).toBe(409);
    expect(await liveAnswers()).not.toContain(rejected.answer);
    expect(await botAnswers(rejected.question)).not.toBe(rejected.answer);

    const own = await admin.call<{ status: string; draft: Draft }>(
      'POST',
      admin.conversationPath(held(), 'save-faq'),
      byAdmin,
    );
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({
      status: 'live',
      draft: { status: 'approved', savedBy: 'admin', decidedBy: 'admin' },
    });
    expect(await botAnswers(byAdmin.question)).toBe(byAdmin.answer);
  });

  it('keeps the review queue and what was approved in PostgreSQL, recorded as publications by the approver', async () => {
    const db = await openDatabase(sut.config.DATABASE_URL);
    try {
      const drafts = await db.query<{ question: string; status: string; saved_by: string; decided_by: string }>(
        'SELECT question, status, saved_by, decided_by FROM faq_drafts WHERE knowledge_base = $1 ORDER BY saved_at',
        [sut.bot.id],
      );
      expect(drafts.rows).toEqual([
        { question: drafted.question, status: 'approved', saved_by: 'agent1', decided_by: 'admin' },
        { question: rejected.question, status: 'rejected', saved_by: 'agent1', decided_by: 'admin' },
        { question: byAdmin.question, status: 'approved', saved_by: 'admin', decided_by: 'admin' },
      ]);
      const versions = await new PostgresKnowledgeRepository(db).versions(sut.bot.id);
      expect(versions.map((v) => [v.mode, v.publishedBy, v.added, v.status])).toEqual([
        ['console', 'admin', 1, 'published'],
        ['console', 'admin', 1, 'published'],
        ['upsert', expect.any(String), 0, 'published'],
      ]);
      expect(versions[0]?.source).toMatch(/^审核通过 d-/);
      const recorded = (await new PostgresKnowledgeRepository(db).current(sut.bot.id))!.entries;
      expect(recorded.filter((e) => e.provenance).map((e) => [e.question, e.answer, e.provenance?.savedBy])).toEqual([
        [drafted.question, drafted.answer, 'agent1'],
        [byAdmin.question, byAdmin.answer, 'admin'],
      ]);
      expect(recorded.map((e) => e.answer)).not.toContain(rejected.answer);
    } finally {
      await db.end();
    }
    // Redis keeps none of it any more.
    expect(await sut.redis.keys(`${sut.config.QUEUE_PREFIX}:faq-draft*`)).toEqual([]);
    expect(await sut.redis.keys(`${sut.config.QUEUE_PREFIX}:kb:*`)).toEqual([]);
  });

  it('names who saved and who approved each console entry in kb diff, also after a reindex', async () => {
    const diff = await runKb(['diff', sut.bot.id], kbEnv());
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('v1 → v2: 2 added, 0 removed, 0 changed');
    expect(diff.stdout).toContain(`+ ${drafted.question} (saved by agent1, approved by admin)`);
    expect(diff.stdout).toContain(`+ ${byAdmin.question} (saved and approved by admin)`);
    expect(diff.stdout).not.toContain(rejected.question);

    const ingest = await runKb(['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id], kbEnv());
    expect(ingest.stdout).toContain('including 2 saved by agents');
    const sinceFirst = await runKb(['diff', sut.bot.id, '--from', '1'], kbEnv());
    expect(sinceFirst.stdout).toContain('v1 → v3: 2 added, 0 removed, 0 changed');
    expect(sinceFirst.stdout).toContain(`+ ${drafted.question} (saved by agent1, approved by admin)`);
    expect(await botAnswers(drafted.question)).toBe(drafted.answer);

    // --replace makes the file the whole FAQ but keeps what agents saved; --without-saved too: the file alone.
    const replace = await runKb(
      ['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id, '--replace', '--dry-run'],
      kbEnv(),
    );
    expect(replace.stdout).toMatch(/^replace: 0 added, 0 changed, 0 removed, 38 unchanged\n/);
    const fileAlone = await runKb(
      ['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id, '--replace', '--without-saved', '--dry-run'],
      kbEnv(),
    );
    expect(fileAlone.stdout).toMatch(/^replace: 0 added, 0 changed, 2 removed, 36 unchanged\n/);
    expect(fileAlone.stdout).toContain(`- ${drafted.question}`);
    expect(fileAlone.stdout).toContain(`- ${byAdmin.question}`);
  });
});
