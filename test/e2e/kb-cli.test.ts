import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool, migrate, type Pool } from '@answerbridge/database';
import { HttpEmbedder, resolveProfile } from '@answerbridge/embedding';
import { ingestKnowledgeBase, loadFaqFile } from '@answerbridge/knowledge';
import { createTestDatabase, freePort, workspaceRoot, type TestDatabase } from '@answerbridge/testing';
import type { KnowledgeChange } from '@answerbridge/core';
import { RedisKnowledgeChanges, createRedis } from '@answerbridge/redis';
import { MilvusVectorStore } from '@answerbridge/vector-store';
import { runKb, runKbProcess } from '../support/run-kb';

/**
 * The kb command's own entry point with settings from the given environment only. The first ingest and the exit
 * code of a usage error run it as an operator does, a separate process; the rest in this process (a process per
 * step cost two minutes of CI).
 */
const kb = runKb;

describe('kb CLI on Milvus Lite and the local embedder', () => {
  const services = inject('services');
  const botId = `kb${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'ab-kb-'));
  const botsFile = path.join(dir, 'bots.json');
  writeFileSync(
    botsFile,
    JSON.stringify({
      bots: [
        {
          id: botId,
          channel: 'wecom',
          corpId: 'ww1',
          agentId: 1,
          token: 't',
          encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
          secret: 's',
        },
      ],
    }),
  );
  const env: Record<string, string> = {
    MILVUS_ADDRESS: services.milvusAddress,
    EMBEDDING_BASE_URL: services.embeddingBaseUrl,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: `abtest-${botId}`,
    BOTS_FILE: botsFile,
    LOG_LEVEL: 'error',
  };
  // PostgreSQL, the system of record the entries are kept in: a database of this file's own.
  let database: TestDatabase;
  let db: Pool;
  beforeAll(async () => {
    database = await createTestDatabase(services.postgresUrl);
    env.DATABASE_URL = database.url;
    db = createPool(database.url, { max: 2 });
    // As kb itself does on start, so the tables are there for a test that reads them before any kb run.
    await migrate(db);
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });
  /** The recorded entries' ids, and the versions as (mode, by, counts). */
  const recorded = async (knowledgeBase = botId) => ({
    entries: (
      await db.query<{ id: string }>('SELECT id FROM knowledge_entries WHERE knowledge_base = $1', [knowledgeBase])
    ).rows.length,
    versions: (
      await db.query(
        `SELECT mode, published_by AS by, status, number, entry_count, added, changed, removed
         FROM knowledge_versions WHERE knowledge_base = $1 ORDER BY id`,
        [knowledgeBase],
      )
    ).rows,
  });

  it('ingests the sample FAQ, searches it with scores, and lists versions', async () => {
    const ingest = await runKbProcess(['ingest', 'data/sample-faq.txt', '--bot', botId], env);
    expect(ingest.stderr).toBe('');
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(
      new RegExp(`^upsert: 36 added, 0 changed, 0 removed, 0 unchanged\\n(\\+ .*\\n){20}… and 16 more\\n`),
    );
    expect(ingest.stdout).toMatch(
      new RegExp(`ingested 36 entries \\(\\d+ questions\\) into kb_${botId}_v1; now active`),
    );

    const search = await kb(['search', botId, '怎么更改登录密码?', '-n', '3'], env);
    expect(search.code).toBe(0);
    const lines = search.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^answer: P\(right\) 0\.\d{3} \(answer at 0\.\d{3}\), P\(in top 3\) [01]\.\d{3} \(suggest at 0\.\d{3}\)$/,
    );
    expect(lines[1]).toMatch(/^1\. ✔ 如何修改登录密码？/);
    expect(lines[2]).toMatch(/^ {3}confidence 0\.\d{4}, dense 0\.\d{4}$/);
    expect(lines.filter((l) => /^\d\. /.test(l))).toHaveLength(3);

    const again = await kb(['ingest', 'data/sample-faq.txt', '--bot', botId], env);
    expect(again.stdout).toContain('upsert: 0 added, 0 changed, 0 removed, 36 unchanged\n');
    expect(again.stdout).toContain(`kb_${botId}_v2`);
    const versions = await kb(['versions', botId], env);
    expect(versions.stdout).toMatch(new RegExp(`^  v1  kb_${botId}_v1 .*\\n\\* v2  kb_${botId}_v2 `));

    // Both were published to PostgreSQL first, by the OS user, and the index versions built from them.
    const { entries, versions: rows } = await recorded();
    expect(entries).toBe(36);
    expect(rows).toEqual([
      {
        mode: 'upsert',
        by: expect.any(String),
        status: 'published',
        number: 1,
        entry_count: 36,
        added: 36,
        changed: 0,
        removed: 0,
      },
      {
        mode: 'upsert',
        by: expect.any(String),
        status: 'published',
        number: 2,
        entry_count: 36,
        added: 0,
        changed: 0,
        removed: 0,
      },
    ]);
  });

  it('keeps entries the file lacks unless told --replace, and shows what changed between versions', async () => {
    const edited = readFileSync(path.join(workspaceRoot, 'data/sample-faq.txt'), 'utf8')
      .replace('新密码至少 10 位', '新密码至少 12 位')
      .replace('id: payday', 'id: payday\nQ: 工资条在哪看')
      .replace(/\nQ: 公司班车时间和路线？[\s\S]*?(?=\nQ: 培训课程)/, '\n');
    const file = path.join(dir, 'edited.txt');
    writeFileSync(file, edited);
    // Without --replace, an entry the file lacks stays: only the two edits change.
    const upsert = await kb(['ingest', file, '--bot', botId, '--by', 'ops-li'], env);
    expect(upsert.stdout).toContain(
      'upsert: 0 added, 2 changed, 0 removed, 34 unchanged\n~ 如何修改登录密码？ (answer)\n',
    );
    expect(upsert.stdout).toContain(`kb_${botId}_v3`);
    expect((await kb(['diff', botId], env)).stdout).toContain('v2 → v3: 0 added, 0 removed, 2 changed, 34 unchanged');

    const dryRun = await kb(['ingest', file, '--bot', botId, '--replace', '--dry-run'], env);
    expect(dryRun.stdout).toBe(
      'replace: 0 added, 0 changed, 1 removed, 35 unchanged\n- 公司班车时间和路线？\ndry run: nothing was changed\n',
    );
    // Neither the upsert nor the dry run removed a recorded entry.
    expect((await recorded()).entries).toBe(36);
    expect((await recorded()).versions.at(-1)).toMatchObject({ mode: 'upsert', by: 'ops-li', changed: 2, removed: 0 });
    const replace = await kb(['ingest', file, '--bot', botId, '--replace'], env);
    expect(replace.stdout).toContain(`kb_${botId}_v4`);
    expect((await recorded()).entries).toBe(35);
    const removed = await db.query(
      `SELECT c.entry_id, c.before->>'question' AS question FROM knowledge_entry_changes c
       JOIN knowledge_versions v ON v.id = c.version_id WHERE v.knowledge_base = $1 AND c.change = 'removed'`,
      [botId],
    );
    expect(removed.rows).toEqual([{ entry_id: expect.any(String), question: '公司班车时间和路线？' }]);
    const diff = await kb(['diff', botId], env);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('v3 → v4: 0 added, 1 removed, 0 changed, 35 unchanged');
    expect(diff.stdout).toContain('- 公司班车时间和路线？');
    const edits = await kb(['diff', botId, '--from', '2', '--to', '4'], env);
    expect(edits.stdout).toMatch(/~ 如何修改登录密码？\n {4}answer: .*→ /);
    expect(edits.stdout).toContain('    + question: 工资条在哪看');
  });

  it('rolls back to the previous version', async () => {
    const rollback = await kb(['rollback', botId], env);
    expect(rollback.stdout).toBe(`rolled back ${botId}: v4 → v3 (kb_${botId}_v3 is active)\n`);
    const search = await kb(['search', botId, '班车几点发车', '-n', '1'], env);
    expect(search.stdout).toMatch(/1\. ✔ 公司班车时间和路线？/);
    expect((await kb(['rollback', botId, '--to', '9'], env)).stderr).toMatch(/no version v9/);
    // The rollback is recorded: the entries of v3 (the 班车 entry with them) are the recorded ones again.
    expect((await recorded()).entries).toBe(36);
    expect((await recorded()).versions.at(-1)).toMatchObject({ mode: 'rollback', number: 3, added: 1, removed: 0 });
  });

  it('explains bad input with a non-zero exit and changes nothing', async () => {
    const unknownBot = await kb(['ingest', 'data/sample-faq.txt', '--bot', 'nobody'], env);
    expect(unknownBot.code).toBe(2);
    expect(unknownBot.stderr).toMatch(/unknown bot "nobody"/);

    const broken = path.join(dir, 'broken.txt');
    writeFileSync(broken, 'Q: 有问题没答案\nQ: 另一个问题\n');
    const badFile = await kb(['ingest', broken, '--bot', botId], env);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toMatch(/broken\.txt:1: question "有问题没答案" has no "A:" line/);

    const missing = await kb(['ingest', path.join(dir, 'nope.csv'), '--bot', botId], env);
    expect(missing.stderr).toMatch(/cannot read: ENOENT/);

    const versions = await kb(['versions', botId], env);
    expect(versions.stdout.trim().split('\n')).toHaveLength(3);

    // PostgreSQL not there, or a database that does not exist: said in words, nothing built.
    const noDatabase = await kb(['ingest', 'data/sample-faq.txt', '--bot', botId], {
      ...env,
      DATABASE_URL: `postgres://127.0.0.1:${await freePort()}/answerbridge`,
    });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toMatch(/^kb: PostgreSQL at 127\.0\.0\.1:\d+\/answerbridge does not answer/);
    const badUrl = await kb(['ingest', 'data/sample-faq.txt', '--bot', botId], { ...env, DATABASE_URL: 'mysql://x/y' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/DATABASE_URL: expected postgres:\/\/user\[:password\]@host:port\/database/);
    expect((await kb(['versions', botId], env)).stdout.trim().split('\n')).toHaveLength(3);
    expect((await runKbProcess(['frobnicate'], env)).code).toBe(2);

    // Milvus not there: said in words, with the setting to check, not as a gRPC status.
    const unreachable = await kb(['versions', botId], { ...env, MILVUS_ADDRESS: '127.0.0.1:1' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^kb: cannot reach Milvus at 127\.0\.0\.1:1: is it running, and is MILVUS_ADDRESS right\?/,
    );
  });

  it('imports an .xlsx and a GBK CSV into the live knowledge base, removing nothing without --replace', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('新增');
    sheet.addRow(['问题', '答案', '相似问题']);
    sheet.addRow(['食堂几点开饭？', '午餐 11:30–13:00。', '午饭时间']);
    sheet.addRow(['快递寄到哪里？', '寄到前台，写部门和姓名。', null]);
    sheet.addRow(['停车怎么登记？', '在行政系统登记车牌。', null]);
    const xlsx = path.join(dir, '新增.xlsx');
    writeFileSync(xlsx, new Uint8Array(await workbook.xlsx.writeBuffer()));
    const added = await kb(['ingest', xlsx, '--bot', botId], env);
    expect(added.stderr).toBe('');
    expect(added.stdout).toMatch(/^upsert: 3 added, 0 changed, 0 removed, 36 unchanged\n\+ 食堂几点开饭？\n/);
    expect(added.stdout).toMatch(/ingested 39 entries/);

    // A CSV saved by Excel on Chinese Windows: GBK bytes, an existing question with a new answer.
    const gbk = path.join(dir, 'gbk.csv');
    writeFileSync(gbk, iconv.encode('问题,答案\n食堂几点开饭？,午餐 11:00–13:30，晚餐 17:30–19:00。\n', 'gbk'));
    const updated = await kb(['ingest', gbk, '--bot', botId], env);
    expect(updated.stdout).toMatch(
      /^upsert: 0 added, 1 changed, 0 removed, 38 unchanged\n~ 食堂几点开饭？ \(answer\)\n/,
    );
    const search = await kb(['search', botId, '食堂几点开饭', '-n', '1'], env);
    expect(search.stdout).toContain('午餐 11:00–13:30，晚餐 17:30–19:00。');
  });

  it('records, the first time, the entries of a knowledge base built before PostgreSQL held them', async () => {
    // An older installation: the knowledge base is in Milvus only.
    const legacy = `${botId}old`;
    writeFileSync(
      botsFile,
      JSON.stringify({
        bots: [
          ...(JSON.parse(readFileSync(botsFile, 'utf8')) as { bots: Record<string, unknown>[] }).bots,
          { ...JSON.parse(readFileSync(botsFile, 'utf8')).bots[0], id: legacy },
        ],
      }),
    );
    const store = new MilvusVectorStore({ address: services.milvusAddress });
    await store.ready();
    await ingestKnowledgeBase(
      store,
      new HttpEmbedder(resolveProfile('e5-minilm'), {
        baseUrl: services.embeddingBaseUrl,
        apiKey: 'none',
        timeoutMs: 30_000,
      }),
      legacy,
      loadFaqFile(path.join(workspaceRoot, 'data/sample-faq.txt')),
    );
    await store.close();
    expect((await recorded(legacy)).versions).toEqual([]);

    const one = path.join(dir, 'one.txt');
    writeFileSync(one, 'Q: 无人机可以带进园区吗？\nA: 不可以，园区禁飞。\n');
    const first = await kb(['ingest', one, '--bot', legacy], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^upsert: 1 added, 0 changed, 0 removed, 36 unchanged\n/);
    expect(first.stdout).toContain(
      'the database had no entries of this knowledge base yet: the 36 of the active index version',
    );
    // Nothing the index had was lost: all 36 and the new one are recorded, and the next ingest plans on them.
    expect((await recorded(legacy)).entries).toBe(37);
    const second = await kb(['ingest', one, '--bot', legacy], env);
    expect(second.stdout).toMatch(/^upsert: 0 added, 0 changed, 0 removed, 37 unchanged\n/);
    expect(second.stdout).not.toContain('the database had no entries');
  });

  it('rebuilds the search index from what PostgreSQL records after Milvus lost every version (kb reindex)', async () => {
    const store = new MilvusVectorStore({ address: services.milvusAddress });
    await store.ready();
    for (const v of await store.listVersions(botId)) await store.dropVersion(v.collection);
    expect(await store.activeCollection(botId)).toBeNull();
    await store.close();
    const lost = await kb(['search', botId, '食堂几点开饭', '-n', '1'], env);
    expect(lost.stdout).not.toContain('午餐 11:00–13:30');

    const reindex = await kb(['reindex', botId, '--by', 'ops-li'], env);
    expect(reindex.stderr).toBe('');
    expect(reindex.stdout).toMatch(/^rebuilt kb\w+ from the 39 recorded entries: v\d+ \(.+\) is active\n$/);
    // The imported answer is searchable again, and the history says who rebuilt it, changing no entry.
    const search = await kb(['search', botId, '食堂几点开饭', '-n', '1'], env);
    expect(search.stdout).toContain('午餐 11:00–13:30，晚餐 17:30–19:00。');
    expect((await recorded(botId)).versions.at(-1)).toMatchObject({
      mode: 'replace',
      by: 'ops-li',
      status: 'published',
      entry_count: 39,
      added: 0,
      changed: 0,
      removed: 0,
    });

    const nothing = await kb(['reindex', 'nobody'], env);
    expect(nothing.code).not.toBe(0);
    expect((await kb(['reindex', `${botId}old`], env)).code).toBe(0);
  });

  it('tells running workers over Redis which version it activated, and goes on when Redis does not answer', async () => {
    const redis = createRedis(services.redisUrl, 'worker');
    const heard: KnowledgeChange[] = [];
    const stop = await new RedisKnowledgeChanges(redis, env.QUEUE_PREFIX ?? '').listen((change) => heard.push(change));
    try {
      const reindex = await kb(['reindex', botId], env);
      expect(reindex.code).toBe(0);
      const active = /\((kb_\w+)\) is active/.exec(reindex.stdout)?.[1];
      expect(active).toBeDefined();
      await expect.poll(() => heard).toContainEqual({ kind: 'activated', knowledgeBase: botId, collection: active });
      // Nobody listens at this port: the command still does its work, after at most a short wait for Redis.
      const started = Date.now();
      const offline = await kb(['reindex', botId], { ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
      expect(offline.code).toBe(0);
      expect(offline.stdout).toMatch(/^rebuilt /);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await stop();
      redis.disconnect();
    }
  });
});
