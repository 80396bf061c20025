import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { entryIdFor } from '../faq-entry';
import { MAX_IMPORT_BYTES, readFaqImport } from './read-faq-import';

const utf8 = (text: string) => new TextEncoder().encode(text);

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A minimal Word document: paragraphs, some in the built-in heading styles. */
async function docx(paragraphs: { text: string; heading?: number }[]): Promise<Uint8Array> {
  const zip = new JSZip();
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/_rels/document.xml.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
  );
  const w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
  zip.file(
    'word/styles.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:styles ${w}>${[1, 2, 3]
      .map((n) => `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/></w:style>`)
      .join('')}</w:styles>`,
  );
  const body = paragraphs
    .map(
      (p) =>
        `<w:p>${p.heading ? `<w:pPr><w:pStyle w:val="Heading${p.heading}"/></w:pPr>` : ''}<w:r><w:t xml:space="preserve">${escape(p.text)}</w:t></w:r></w:p>`,
    )
    .join('');
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8"?><w:document ${w}><w:body>${body}</w:body></w:document>`,
  );
  return new Uint8Array(await zip.generateAsync({ type: 'uint8array' }));
}

describe('CSV encodings', () => {
  const csv = '问题,答案,相似问题,分类\n年假有几天？,入职满一年 5 天，满十年 10 天。,年休假多少天|带薪假几天,假期\n';

  it('reads a CSV saved by Excel on Chinese Windows (GBK) without a garbled character', async () => {
    const read = await readFaqImport(iconv.encode(csv, 'gbk'), 'faq.csv');
    expect(read.encoding).toBe('gb18030');
    expect(read.issues).toEqual([]);
    expect(read.entries).toEqual([
      {
        id: entryIdFor('年假有几天？'),
        question: '年假有几天？',
        similar: ['年休假多少天', '带薪假几天'],
        answer: '入职满一年 5 天，满十年 10 天。',
        category: '假期',
        tags: [],
      },
    ]);
  });

  it('reads GB18030 characters outside GBK, UTF-8 with and without BOM, and UTF-16 with BOM alike', async () => {
    const rare = csv.replace('假期', '假期𠀀');
    for (const [bytes, encoding] of [
      [iconv.encode(rare, 'gb18030'), 'gb18030'],
      [utf8(rare), 'utf-8'],
      [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rare)]), 'utf-8-bom'],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rare, 'utf-16le')]), 'utf-16le'],
    ] as const) {
      const read = await readFaqImport(bytes, 'faq.csv');
      expect(read.encoding).toBe(encoding);
      expect(read.entries[0]?.category).toBe('假期𠀀');
    }
  });

  it('refuses bytes that are neither UTF-8 nor GB18030 instead of garbling them', async () => {
    await expect(readFaqImport(new Uint8Array([0x81, 0x20, 0x41, 0x0a]), 'faq.csv')).rejects.toThrow(
      /neither UTF-8 nor GBK/,
    );
  });

  it('reports every bad row with the line it starts on, and keeps the good ones', async () => {
    const text = 'question,answer\n"q1","line one\nline two"\nq2,\n,orphan answer\nq1,again\nq3,fine\n';
    const read = await readFaqImport(utf8(text), 'faq.csv');
    expect(read.entries.map((e) => e.question)).toEqual(['q1', 'q3']);
    expect(read.issues).toEqual([
      { line: 4, message: '"q2" has no answer (答案 is empty)' },
      { line: 5, message: 'an answer without a question (问题 is empty)' },
      { line: 6, message: '"q1" is already a question on line 2' },
    ]);
  });
});

describe('Excel .xlsx', () => {
  it('finds the header under a title, reads similar questions per cell, per column and per row, and merged categories', async () => {
    const bytes = await workbook((wb) => {
      const sheet = wb.addWorksheet('员工 FAQ');
      sheet.addRow(['2026 年员工常见问题']);
      sheet.addRow(['分类', '问题', '答案', '相似问题', '相似问题2', '标签']);
      sheet.addRow(['假期', '年假有几天？', '满一年 5 天。', '年休假多少天\n带薪年假几天', '年假天数', '假期, 年假']);
      sheet.addRow([null, '婚假几天？', '婚假 13 天。', null, null, null]);
      sheet.addRow([null, null, null, '结婚能休几天', null, null]);
      sheet.addRow([null, '病假怎么请？', { formula: '"在 OA " & "提交"', result: '在 OA 提交' }, null, null, '']);
      sheet.mergeCells('A3:A6');
    });
    const read = await readFaqImport(bytes, '员工.xlsx');
    expect(read.issues).toEqual([]);
    expect(read.entries).toEqual([
      {
        id: entryIdFor('年假有几天？'),
        question: '年假有几天？',
        similar: ['年休假多少天', '带薪年假几天', '年假天数'],
        answer: '满一年 5 天。',
        category: '假期',
        tags: ['假期', '年假'],
      },
      {
        id: entryIdFor('婚假几天？'),
        question: '婚假几天？',
        similar: ['结婚能休几天'],
        answer: '婚假 13 天。',
        category: '假期',
        tags: [],
      },
      {
        id: entryIdFor('病假怎么请？'),
        question: '病假怎么请？',
        similar: [],
        answer: '在 OA 提交',
        category: '假期',
        tags: [],
      },
    ]);
  });

  it('takes each sheet name as the category when sheets have none, and names sheet and row of each problem', async () => {
    const bytes = await workbook((wb) => {
      const it = wb.addWorksheet('IT');
      it.addRow(['问题', '答案']);
      it.addRow(['VPN 怎么连？', '用 EasyConnect。']);
      it.addRow(['打印机坏了', null]);
      const hr = wb.addWorksheet('人事');
      hr.addRow(['问题', '答案']);
      hr.addRow(['工资几号发？', '每月 10 日。']);
      wb.addWorksheet('说明').addRow(['这一页不是 FAQ']);
    });
    const read = await readFaqImport(bytes, 'faq.xlsx');
    expect(read.entries.map((e) => [e.question, e.category])).toEqual([
      ['VPN 怎么连？', 'IT'],
      ['工资几号发？', '人事'],
    ]);
    expect(read.issues).toEqual([
      { line: null, sheet: '说明', message: 'skipped: no header row naming 问题 and 答案' },
      { line: 3, sheet: 'IT', message: '"打印机坏了" has no answer (答案 is empty)' },
    ]);
  });

  it('refuses a file that is not a workbook, with what to do', async () => {
    await expect(readFaqImport(utf8('问题,答案\n'), 'faq.xlsx')).rejects.toThrow(/not an Excel \.xlsx workbook/);
    const read = await readFaqImport(await workbook((wb) => wb.addWorksheet('a').addRow(['x'])), 'a.xlsx');
    expect(read.entries).toEqual([]);
    expect(read.issues.at(-1)?.message).toMatch(/no worksheet has a header row/);
  });
});

describe('Word .docx', () => {
  it('turns question headings into entries, other headings into sections, and 问：答： paragraphs into entries', async () => {
    const handbook = await readFaqImport(
      await docx([
        { text: '员工手册', heading: 1 },
        { text: '年假有几天？', heading: 2 },
        { text: '入职满一年 5 天。' },
        { text: '报销', heading: 2 },
        { text: '发票 & 行程单在费控系统提交。' },
      ]),
      '手册.docx',
    );
    expect(handbook.issues).toEqual([]);
    expect(handbook.entries.map((e) => [e.kind, e.question, e.answer, e.category])).toEqual([
      ['faq', '年假有几天？', '入职满一年 5 天。', '员工手册'],
      ['doc', '员工手册 > 报销', '发票 & 行程单在费控系统提交。', '员工手册'],
    ]);
    const pairs = await readFaqImport(
      await docx([{ text: '问：WiFi 密码是多少？' }, { text: '答：访客网络密码贴在前台。' }]),
      'qa.docx',
    );
    expect(pairs.entries.map((e) => [e.question, e.answer])).toEqual([['WiFi 密码是多少？', '访客网络密码贴在前台。']]);
  });

  it('says what to do with a document it cannot read entries from', async () => {
    const prose = await readFaqImport(await docx([{ text: '只是一段说明。' }]), 'x.docx');
    expect(prose.issues[0]?.message).toMatch(/heading style/);
    await expect(readFaqImport(utf8('not a zip'), 'x.docx')).rejects.toThrow(/not a Word \.docx document/);
  });
});

describe('formats and limits', () => {
  it('refuses unknown formats and oversize files before parsing them', async () => {
    await expect(readFaqImport(utf8('x'), 'faq.xls')).rejects.toThrow(/cannot import "\.xls" files.*\.xlsx/);
    await expect(readFaqImport(new Uint8Array(MAX_IMPORT_BYTES + 1), 'faq.csv')).rejects.toThrow(/larger than 20 MB/);
  });

  it('collects a whole-document format problem as an issue, and duplicate ids in JSON Lines', async () => {
    const md = await readFaqImport(utf8('## 年假几天？\n\n## 婚假\n13 天'), 'x.md');
    expect(md.issues).toEqual([{ line: 1, message: 'heading "年假几天？" has no answer text' }]);
    const jsonl = await readFaqImport(
      utf8('{"id":"a","question":"q","answer":"x"}\n{"id":"a","question":"r","answer":"y"}\n'),
      'f.jsonl',
    );
    expect(jsonl.entries.map((e) => e.question)).toEqual(['q']);
    expect(jsonl.issues).toEqual([{ line: null, message: 'duplicate entry id a ("r")' }]);
  });
});
