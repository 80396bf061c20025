import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '@answerbridge/database';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

interface Preview {
  previewId: string;
  mode: string;
  file: { name: string; format: string; encoding: string | null };
  counts: Record<string, number>;
  changesNothing: boolean;
  added: { id: string; question: string; answer: string; similar: string[] }[];
  changed: {
    id: string;
    question: string;
    fields: { field: string; before: string; after: string }[];
    questionsAdded: string[];
  }[];
  removed: { id: string; question: string }[];
  issues: { line: number | null; sheet: string | null; message: string }[];
}
interface Refusal {
  error: string;
  message: string;
  issues?: Preview['issues'];
}
interface Published {
  version: { number: number; entryCount: number; added: number; changed: number; removed: number; source: string };
  message: string;
}

/**
 * 导入 through the console API on the real parts (Redis, PostgreSQL, Milvus, the embedding service): files of
 * every encoding an FAQ owner saves are previewed without a garbled character and published; replace lists what
 * it removes; bad files and stale previews are refused in words, and nothing changes.
 */
describe('knowledge import (导入) through the console API', () => {
  let sut: SystemUnderTest;
  let editor: ConsoleClient;
  let db: Pool;
  const bot = () => sut.bot.id;

  /** Sends a file's bytes as the page does. */
  async function preview(client: ConsoleClient, name: string, bytes: Uint8Array, mode?: string, csrf = true) {
    const params = new URLSearchParams({ name, ...(mode ? { mode } : {}) });
    const res = await fetch(`${sut.console.url}/api/knowledge/${bot()}/import/preview?${params}`, {
      method: 'POST',
      headers: {
        cookie: client.cookieHeader,
        'content-type': 'application/octet-stream',
        ...(csrf ? { 'x-csrf-token': client.csrf } : {}),
      },
      body: bytes,
    });
    return { status: res.status, text: await res.text() };
  }
  const previewOk = async (name: string, bytes: Uint8Array, mode?: string) => {
    const { status, text } = await preview(editor, name, bytes, mode);
    expect(status, text).toBe(200);
    // Never a replacement character: what the file says is what the preview shows.
    expect(text).not.toContain('\uFFFD');
    return JSON.parse(text) as Preview;
  };
  const refused = async (name: string, bytes: Uint8Array, mode?: string) => {
    const { status, text } = await preview(editor, name, bytes, mode);
    return { status, body: JSON.parse(text) as Refusal };
  };
  const publish = (previewId: string, client = editor) =>
    client.call<Published & Refusal>('POST', `/api/knowledge/${bot()}/import/publish`, { previewId });
  const versions = async () =>
    (
      await db.query<{ number: number; source: string; published_by: string; mode: string }>(
        'SELECT number, source, published_by, mode FROM knowledge_versions WHERE knowledge_base = $1 ORDER BY id',
        [bot()],
      )
    ).rows;
  const hitTest = (question: string) =>
    editor.call<{ decision: { kind: string; entryId: string | null; reply: string | null } }>(
      'POST',
      `/api/knowledge/${bot()}/hit-test`,
      { question },
    );

  beforeAll(async () => {
    sut = await startSystem();
    editor = await ConsoleClient.createAccount(sut.console.url, {
      username: 'editor1',
      displayName: '编辑小周',
      role: 'editor',
      password: 'editor1-password',
    });
    db = createPool(sut.config.DATABASE_URL, { max: 2 });
  });
  afterAll(async () => {
    await db?.end();
    await sut?.stop();
  });

  it('previews a GBK CSV saved by Excel on Chinese Windows without a garbled character, publishes it, and the bot answers from it', async () => {
    const csv = iconv.encode(
      '问题,答案,相似问题\n' +
        '如何修改登录密码？,新密码至少 12 位，含字母和数字。,\n' +
        '食堂几点开饭？,午餐 11:30–13:00，晚餐 17:30–19:00。,午饭几点|晚饭几点\n',
      'gbk',
    );
    const p = await previewOk('常见问题.csv', csv);
    expect(p).toMatchObject({ mode: 'upsert', file: { name: '常见问题.csv', format: 'csv', encoding: 'gb18030' } });
    // The database had nothing yet: the plan starts from the 36 entries of the live index version.
    expect(p.counts).toMatchObject({ rows: 2, added: 1, changed: 1, removed: 0, unchanged: 35, total: 37 });
    expect(p.counts['fromIndex']).toBe(36);
    expect(p.added).toEqual([
      expect.objectContaining({ question: '食堂几点开饭？', similar: ['午饭几点', '晚饭几点'] }),
    ]);
    const [change] = p.changed;
    expect(change?.question).toBe('如何修改登录密码？');
    expect(change?.fields).toEqual([
      { field: 'answer', before: expect.stringContaining('10 位'), after: '新密码至少 12 位，含字母和数字。' },
    ]);
    expect(p.issues).toEqual([]);
    expect(await versions()).toEqual([]);

    const done = await publish(p.previewId);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.version).toMatchObject({ number: 2, entryCount: 37, added: 1, changed: 1, removed: 0 });
    expect(done.body.message).toMatch(/^已发布 v2：新增 1 条，修改 1 条，删除 0 条。/);
    expect(await versions()).toEqual([
      { number: 2, source: '控制台导入 常见问题.csv', published_by: 'editor1', mode: 'upsert' },
    ]);
    const answered = await hitTest('食堂几点开饭？');
    expect(answered.body.decision).toMatchObject({ kind: 'answer', reply: '午餐 11:30–13:00，晚餐 17:30–19:00。' });
  });

  it('reads a UTF-8 CSV with a BOM, shows each bad row with its line in Chinese, and appends only what is new', async () => {
    const csv = new TextEncoder().encode(
      '\uFEFF问题,答案\n食堂几点开饭？,别的答案（已存在，仅新增时不改）\n快递寄到哪里？,寄到前台，写部门和姓名。\n只有问题没有答案,\n',
    );
    const p = await previewOk('快递.csv', csv, 'append');
    expect(p.file.encoding).toBe('utf-8-bom');
    expect(p.counts).toMatchObject({ rows: 2, added: 1, changed: 0, removed: 0, skipped: 1, issues: 1 });
    expect(p.added.map((e) => e.question)).toEqual(['快递寄到哪里？']);
    expect(p.issues).toEqual([
      { line: 4, sheet: null, message: expect.stringMatching(/^「只有问题没有答案」没有答案/) },
    ]);
    const done = await publish(p.previewId);
    expect(done.body.version).toMatchObject({ number: 3, entryCount: 38, added: 1, changed: 0 });
    // Append left the existing entry as it was.
    expect((await hitTest('食堂几点开饭？')).body.decision.reply).toBe('午餐 11:30–13:00，晚餐 17:30–19:00。');
  });

  it('lists every entry a replacement removes, in an .xlsx with several similar questions per cell and per row', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('FAQ');
    sheet.addRow(['问题', '答案', '相似问题', '分类', '标签']);
    sheet.addRow(['食堂几点开饭？', '午餐 11:30–13:00。', '午饭几点\n晚饭几点', '行政', '食堂，用餐']);
    sheet.addRow([null, null, '几点吃饭']);
    sheet.addRow(['快递寄到哪里？', '寄到前台，写部门和姓名。', null, '行政', null]);
    const p = await previewOk('全部.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()), 'replace');
    expect(p.mode).toBe('replace');
    expect(p.counts).toMatchObject({ rows: 2, added: 0, changed: 2, removed: 36, total: 2 });
    expect(p.removed).toHaveLength(36);
    expect(p.removed.map((e) => e.question)).toContain('如何修改登录密码？');
    const canteen = p.changed.find((c) => c.question === '食堂几点开饭？');
    expect(canteen?.questionsAdded).toEqual(['几点吃饭']);
    expect(canteen?.fields).toEqual(
      expect.arrayContaining([
        { field: 'answer', before: '午餐 11:30–13:00，晚餐 17:30–19:00。', after: '午餐 11:30–13:00。' },
        { field: 'category', before: '', after: '行政' },
        { field: 'tags', before: '', after: '食堂、用餐' },
      ]),
    );
    // Previewing changed nothing.
    expect((await versions()).map((v) => v.number)).toEqual([2, 3]);
  });

  it('previews Markdown (headings become entries) and JSON Lines like any other file', async () => {
    const markdown = await previewOk(
      '员工手册.md',
      new TextEncoder().encode(
        '# 行政\n\n## 年会在哪里举办？\n\n今年在园区礼堂。\n\n## 访客怎么登记？\n\n前台登记身份证。\n',
      ),
    );
    expect(markdown.file).toMatchObject({ format: 'markdown', encoding: 'utf-8' });
    expect(markdown.added.map((e) => e.question)).toEqual(['年会在哪里举办？', '访客怎么登记？']);
    const jsonl = await previewOk(
      'faq.jsonl',
      new TextEncoder().encode(
        '{"question":"年会在哪里举办？","answer":"今年在园区礼堂。","similar":["年会地点"],"tags":["行政"]}\n',
      ),
    );
    expect(jsonl.file.format).toBe('jsonl');
    expect(jsonl.added).toEqual([
      expect.objectContaining({ question: '年会在哪里举办？', similar: ['年会地点'], tags: ['行政'] }),
    ]);
    expect((await versions()).map((v) => v.number)).toEqual([2, 3]);
  });

  it('refuses bad files in words and changes nothing', async () => {
    const before = await versions();
    const pdf = await refused('手册.pdf', new TextEncoder().encode('%PDF-1.4'));
    expect(pdf.status).toBe(400);
    expect(pdf.body.message).toMatch(/^无法导入「手册\.pdf」：不能导入 \.pdf 文件/);
    const binary = await refused('faq.csv', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08]));
    expect(binary.status).toBe(400);
    expect(binary.body.message).toMatch(/二进制文件，不是文本/);
    const garbled = await refused('faq.csv', new Uint8Array([0xe9, 0x97, 0xae, 0x2c, 0xff, 0xfe, 0x80, 0x0a]));
    expect(garbled.status).toBe(400);
    expect(garbled.body.message).toMatch(/既不是 UTF-8 也不是 GBK\/GB18030/);
    const notXlsx = await refused('faq.xlsx', new TextEncoder().encode('问题,答案\n'));
    expect(notXlsx.body.message).toMatch(/不是 Excel \.xlsx 工作簿/);
    const empty = await refused('faq.csv', new Uint8Array());
    expect(empty).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^文件是空的/) } });
    const noRows = await refused('faq.csv', new TextEncoder().encode('问题,答案\n有问题没答案,\n,有答案没问题\n'));
    expect(noRows.status).toBe(400);
    expect(noRows.body.message).toMatch(/^「faq\.csv」里没有可导入的条目，知识库未作任何修改/);
    expect(noRows.body.issues?.map((i) => i.line)).toEqual([2, 3]);
    const noHeader = await refused('faq.csv', new TextEncoder().encode('Q,A\n年假,5天\n'));
    expect(noHeader.body.issues?.[0]?.message).toMatch(/^第一行应为列名，至少要有「问题」和「答案」两列；现在是：Q, A/);
    const badMode = await refused('faq.csv', new TextEncoder().encode('问题,答案\n年假？,5天\n'), 'overwrite');
    expect(badMode.body.message).toMatch(/^导入方式 overwrite 不存在/);
    const big = await refused('big.csv', new Uint8Array(5 * 1024 * 1024 + 1).fill(0x41));
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/^文件超过 5 MB，未读取/);

    // Agents may not import; a request without the CSRF token is refused too.
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    const csv = new TextEncoder().encode('问题,答案\n年假？,5天\n');
    expect((await preview(agent, 'faq.csv', csv)).status).toBe(403);
    expect((await preview(editor, 'faq.csv', csv, undefined, false)).status).toBe(403);
    const mine = (await previewOk('faq.csv', csv)).previewId;
    expect((await publish(mine, agent)).status).toBe(403);
    expect(await versions()).toEqual(before);
  });

  it('refuses a preview made stale by another publication, and one already published or expired', async () => {
    const csv = (answer: string) => new TextEncoder().encode(`问题,答案\n快递寄到哪里？,${answer}\n`);
    const first = await previewOk('a.csv', csv('寄到一楼收发室。'));
    const second = await previewOk('b.csv', csv('寄到二楼前台。'));
    expect((await publish(second.previewId)).status).toBe(200);
    const stale = await publish(first.previewId);
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/^预览之后知识库被其他人修改过/);
    const again = await publish(second.previewId);
    expect(again.status).toBe(410);
    expect(again.body.message).toMatch(/^预览已过期或已发布过/);
    expect((await publish('no-such-preview')).status).toBe(410);
    // Someone else's preview is not theirs to publish.
    const admin = await ConsoleClient.login(sut.console.url, 'admin');
    const mine = await previewOk('c.csv', csv('寄到三楼。'));
    expect((await publish(mine.previewId, admin)).status).toBe(410);
    expect((await versions()).map((v) => v.number)).toEqual([2, 3, 4]);
    expect((await hitTest('快递寄到哪里？')).body.decision.reply).toBe('寄到二楼前台。');
  });
});
