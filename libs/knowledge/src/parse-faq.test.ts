import { describe, expect, it } from 'vitest';
import { FaqParseError, entryIdFor } from './faq-entry';
import { parseFaq } from './load-faq-file';

describe('Q:/A: text', () => {
  it('reads entries with similar questions, multi-line answers, category and tags', () => {
    const entries = parseFaq(
      [
        '# comment',
        'Q: 如何修改密码？',
        'Q：忘记密码怎么办',
        'category: 账号',
        'tags: 密码, 登录',
        'A: 第一行',
        '第二行',
        '',
        'Q: 年假几天',
        'A: 5 天',
      ].join('\n'),
      'faq.txt',
    );
    expect(entries).toEqual([
      {
        id: entryIdFor('如何修改密码？'),
        question: '如何修改密码？',
        similar: ['忘记密码怎么办'],
        answer: '第一行\n第二行',
        category: '账号',
        tags: ['密码', '登录'],
      },
      { id: entryIdFor('年假几天'), question: '年假几天', similar: [], answer: '5 天', tags: [] },
    ]);
  });

  it.each([
    ['a question without an answer', 'Q: a\nQ: b\n', /no "A:" line/],
    ['an answer without a question', 'A: orphan', /without a question/],
    ['stray text', 'hello', /expected a line starting with "Q:"/],
    ['an empty answer', 'Q: a\nA:   \nQ: b\nA: c', /empty answer/],
    ['duplicate questions', 'Q: a\nA: 1\nQ: a\nA: 2', /duplicate entry id/],
    ['nothing', '\n\n', /no FAQ entries/],
  ])('refuses %s with the line', (_name, text, message) => {
    expect(() => parseFaq(text, 'faq.txt')).toThrow(message);
  });

  it('names the file and line in errors', () => {
    try {
      parseFaq('Q: a\nA: 1\nnonsense?\nA: 2', 'x.txt');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FaqParseError);
      expect((error as Error).message).toMatch(/^x\.txt:4: /);
    }
  });
});

describe('CSV', () => {
  it('reads Chinese headers, quoted multi-line answers and | separated similar questions', () => {
    const csv = '问题,答案,相似问题,分类\n如何报销,"在费控系统提交,\n上传发票",报销流程|怎么报销,财务\n';
    expect(parseFaq(csv, 'faq.csv')).toEqual([
      {
        id: entryIdFor('如何报销'),
        question: '如何报销',
        similar: ['报销流程', '怎么报销'],
        answer: '在费控系统提交,\n上传发票',
        category: '财务',
        tags: [],
      },
    ]);
  });

  it('refuses a table without question and answer columns', () => {
    expect(() => parseFaq('a,b\n1,2', 'faq.csv')).toThrow(/must name the columns 问题 and 答案/);
  });

  it('refuses a row without an answer, naming its line', () => {
    expect(() => parseFaq('question,answer\nq1,a1\nq2,\n', 'faq.csv')).toThrow(/faq\.csv:3: "q2" has no answer/);
  });
});

describe('Markdown', () => {
  it('takes question headings as FAQ entries, other headings as document sections, # titles as categories', () => {
    const md =
      '# 员工手册\n\n## 年假几天？\n\n5 天。\n\n```\n## not a heading\n```\n\n## 假期\n\n### 婚假\n结婚可休 13 天。\n\n### 丧假\n3 天。\n';
    const entries = parseFaq(md, 'handbook.md');
    expect(entries.map((e) => [e.kind, e.question, e.category])).toEqual([
      ['faq', '年假几天？', '员工手册'],
      ['doc', '员工手册 > 假期 > 婚假', '员工手册'],
      ['doc', '员工手册 > 假期 > 丧假', '员工手册'],
    ]);
    expect(entries[0]?.answer).toContain('## not a heading');
  });

  it('refuses a question heading without an answer', () => {
    expect(() => parseFaq('## 年假几天？\n\n## 婚假\n13 天', 'x.md')).toThrow(
      /x\.md:1: heading "年假几天？" has no answer text/,
    );
  });
});

describe('JSON Lines', () => {
  it('reads the eval format and reports bad lines', () => {
    const ok = parseFaq('{"id":"a","question":"q","answer":"x","similar":["s"]}\n', 'f.jsonl');
    expect(ok[0]).toMatchObject({ id: 'a', similar: ['s'] });
    expect(() => parseFaq('{"question":"q"}', 'f.jsonl')).toThrow(/f\.jsonl:1: answer/);
    expect(() => parseFaq('not json', 'f.jsonl')).toThrow(/not a JSON object/);
  });
});

it('refuses unknown formats and binary files', () => {
  expect(() => parseFaq('x', 'faq.pdf')).toThrow(/unknown FAQ format/);
  expect(() => parseFaq('PK\u0003\u0004\u0000', 'faq.csv')).toThrow(/binary/);
});
