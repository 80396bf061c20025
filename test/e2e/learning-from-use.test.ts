import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { PostgresKnowledgeRepository, createPool, openDatabase } from '@answerbridge/database';
import { loadFaqFile } from '@answerbridge/knowledge';
import { workspaceRoot } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { ConsoleClient } from '../support/console-client';
import { runKb } from '../support/run-kb';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

interface Draft {
  id: string;
  kind?: string;
  source?: string;
  status: string;
  entryId?: string;
  question: string;
  answer: string;
  savedBy: string;
}

/**
 * Issue 11, part 6, on real Redis, Milvus Lite, the local embedder and the WeCom simulator: an asker who picks an
 * entry from the list offered for their question teaches the bot their wording. It waits for an editor;
 * once approved, the next asker who words it that way is answered directly, and a reindex keeps it.
 */
describe('the bot learns from use', () => {
  const services = inject('services');
  let sut: SystemUnderTest;
  let admin: ConsoleClient;
  let agent1: ConsoleClient;
  let agent2: ConsoleClient;
  let store: MilvusVectorStore;
  const entries = loadFaqFile(sampleFaqPath);
  const questions = readFileSync(path.join(workspaceRoot, 'data/sample-eval.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { query: string; expected_id: string | null })
    .filter((q) => q.expected_id);
  let askers = 0;
  const lastSeq = new Map<string, number>();
  /** Asks as `asker` (a new one by default) and returns the bot's reply to this message, not an earlier one. */
  const ask = async (question: string, asker = `learning-asker-${++askers}`) => {
    await sut.simulator.wecomClient(sut.bot.id).sendText(asker, question);
    const reply = await sut.simulator.wecom.nextMessageTo(asker, lastSeq.get(asker) ?? 0);
    lastSeq.set(asker, reply.seq);
    return { asker, reply: reply.content };
  };
  const pending = async () => (await admin.call<{ drafts: Draft[] }>('GET', '/api/admin/faq-drafts')).body.drafts;
  const kbEnv = () => ({
    MILVUS_ADDRESS: services.milvusAddress,
    EMBEDDING_BASE_URL: services.embeddingBaseUrl,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: sut.config.QUEUE_PREFIX,
    BOTS_FILE: sut.config.BOTS_FILE,
    DATABASE_URL: sut.config.DATABASE_URL,
  });
  /** The first labelled question the bot answers with a list that holds its entry, and that entry's number. */
  let learned: { query: string; entryId: string; answer: string } | null = null;

  beforeAll(async () => {
    sut = await startSystem();
    store = new MilvusVectorStore({ address: services.milvusAddress });
    await store.ready();
    [admin, agent1, agent2] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'admin'),
      ConsoleClient.login(sut.console.url, 'agent1'),
      ConsoleClient.login(sut.console.url, 'agent2'),
    ]);
  });
  afterAll(async () => {
    await store?.close();
    await sut?.stop();
  });

  it("proposes the asker's words for the entry they picked, and the bot does not use them before review", async () => {
    for (const q of questions) {
      const { asker, reply } = await ask(q.query);
      if (!reply.startsWith(defaultMessages.suggestHeader)) continue;
      const entry = entries.find((e) => e.id === q.expected_id);
      const listed = reply
        .split('\n')
        .map((line) => /^(\d+)\. (.*)$/.exec(line))
        .find((m) => m?.[2] === entry?.question)?.[1];
      if (!entry || !listed) continue;
      const picked = await ask(listed, asker);
      expect(picked.reply).toBe(entry.answer);
      learned = { query: q.query, entryId: entry.id, answer: entry.answer };
      break;
    }
    expect(learned, 'no labelled sample question was answered with a list holding its entry').not.toBeNull();
    await sut.idle();
    const drafts = await pending();
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      kind: 'phrasing',
      source: 'picked-suggestion',
      status: 'pending',
      entryId: learned!.entryId,
      question: learned!.query,
      answer: learned!.answer,
      savedBy: 'asker',
    });
    // Waiting for review: a new asker with the same words still gets the list.
    expect((await ask(learned!.query)).reply.startsWith(defaultMessages.suggestHeader)).toBe(true);
  });

  it('answers those words directly once an editor approves them, and learns them only once', async () => {
    const [draft] = await pending();
    const approved = await admin.call<{ draft: Draft }>('POST', `/api/admin/faq-drafts/${draft!.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.draft).toMatchObject({ kind: 'phrasing', status: 'approved', decidedBy: 'admin' });
    expect((await ask(learned!.query)).reply).toBe(learned!.answer);
    expect((await admin.call('POST', `/api/admin/faq-drafts/${draft!.id}/approve`)).status).toBe(409);
    expect(await pending()).toEqual([]);
  });

  it("keeps the approved wording in PostgreSQL, with its entry's recorded questions, and never the asker's id", async () => {
    const db = await openDatabase(sut.config.DATABASE_URL);
    try {
      const rows = await db.query<{ row: Record<string, unknown> }>(
        'SELECT to_jsonb(l) AS row FROM learned_phrasings l WHERE knowledge_base = $1',
        [sut.bot.id],
      );
      expect(rows.rows.map((r) => r.row)).toMatchObject([
        { entry_id: learned!.entryId, wording: learned!.query, source: 'picked-suggestion', saved_by: 'asker' },
      ]);
      expect(JSON.stringify(rows.rows)).not.toMatch(/learning-asker/);
      const entry = (await new PostgresKnowledgeRepository(db).current(sut.bot.id))!.entries.find(
        (e) => e.id === learned!.entryId,
      );
      expect(entry?.similar).toContain(learned!.query);
    } finally {
      await db.end();
    }
    expect(await sut.redis.keys(`${sut.config.QUEUE_PREFIX}:kb:*`)).toEqual([]);
  });

  it('keeps what it learned through a reindex from the FAQ file', async () => {
    const ingest = await runKb(['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id], kbEnv());
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toContain('1 phrasings learned from use');
    const active = (await store.listVersions(sut.bot.id)).find((v) => v.active);
    const rows = await store.readVersion(active!.collection, sut.bot.id);
    expect(rows.filter((r) => r.text === learned!.query).map((r) => r.entryId)).toEqual([learned!.entryId]);
    expect((await ask(learned!.query)).reply).toBe(learned!.answer);
    // Without the saved and learned additions, the file alone.
    const bare = await runKb(['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id, '--without-saved'], kbEnv());
    expect(bare.stdout).not.toContain('learned from use');
  });

  it('learns the words of a question an agent answered with an existing entry, once an admin approves the link', async () => {
    const wording = '显示器闪屏了找谁修一下';
    const repair = entries.find((e) => e.id === 'repair')!;
    const { asker } = await ask('我要转人工');
    await sut.idle();
    const conversation = `wecom/${sut.bot.id}/${asker}`;
    expect((await agent1.call('POST', agent1.conversationPath(conversation, 'claim'))).status).toBe(200);
    const link = (client: ConsoleClient, body: unknown) =>
      client.call<{ status: string; error?: string; message: string; draft?: Draft }>(
        'POST',
        client.conversationPath(conversation, 'link-entry'),
        body,
      );
    // Only the holder links; the entry must exist; the words must be there.
    expect((await link(agent2, { entryId: 'repair', question: wording })).status).toBe(403);
    const unknown = await link(agent1, { entryId: 'no-such-entry', question: wording });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'LEARNING.NO_SUCH_ENTRY' });
    expect(unknown.body.message).toMatch(/^知识库当前版本中没有条目 no-such-entry/);
    const empty = await link(agent1, { entryId: 'repair', question: '  ' });
    expect(empty.status).toBe(400);
    expect((await link(agent1, { entryId: 'repair', question: '长'.repeat(201) })).status).toBe(400);
    expect(await pending()).toEqual([]);

    const proposed = await link(agent1, { entryId: 'repair', question: wording });
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({
      status: 'draft',
      draft: { kind: 'phrasing', source: 'agent-link', entryId: 'repair', question: wording, savedBy: 'agent1' },
    });
    expect((await ask(wording)).reply).not.toBe(repair.answer);
    const approved = await admin.call('POST', `/api/admin/faq-drafts/${proposed.body.draft!.id}/approve`);
    expect(approved.status).toBe(200);
    expect((await ask(wording)).reply).toBe(repair.answer);
    // Linking it again changes nothing.
    expect((await link(agent1, { entryId: 'repair', question: wording })).body.status).toBe('live');
  });

  it('refuses to approve a draft that does not exist, with a clear error', async () => {
    const missing = await admin.call<{ error: string }>('POST', '/api/admin/faq-drafts/p-nope/approve');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('FAQ_DRAFT.NOT_FOUND');
  });

  it('answers a pick while the database is down: only the learning waits, counted as failed, and readiness says so', async () => {
    const name = decodeURIComponent(new URL(sut.config.DATABASE_URL).pathname.slice(1));
    const server = createPool(services.postgresUrl, { max: 1 });
    const probe = new URL('/readyz', sut.worker.metricsUrl);
    const failedLearning = async () => {
      const text = await (await fetch(new URL('/metrics', sut.worker.metricsUrl))).text();
      return Number(/answerbridge_learned_phrasings_total\{outcome="failed"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const before = await failedLearning();
    // The worker's database refuses every connection from now on (its open ones are ended).
    await server.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    try {
      const down = await fetch(probe);
      expect([down.status, await down.json()]).toEqual([503, { status: 'database unavailable' }]);
      let picked: string | null = null;
      for (const q of questions.filter((x) => x.query !== learned?.query)) {
        const { asker, reply } = await ask(q.query);
        if (!reply.startsWith(defaultMessages.suggestHeader)) continue;
        const [, number, question] = /^(\d+)\. (.*)$/m.exec(reply) ?? [];
        const entry = entries.find((e) => e.question === question);
        if (!number || !entry) continue;
        expect((await ask(number, asker)).reply).toBe(entry.answer);
        picked = q.query;
        break;
      }
      expect(picked, 'no labelled sample question was answered with a list').not.toBeNull();
      await sut.idle();
      expect(await failedLearning()).toBe(before + 1);
    } finally {
      await server.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await server.end();
    }
    expect((await fetch(probe)).status).toBe(200);
  });
});
