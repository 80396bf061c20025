import { describe, expect, it } from 'vitest';
import { FaqParseError, readFaqImport } from '@answerbridge/knowledge';
import { issueInWords } from './knowledge-import-messages';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The problems the FAQ readers report for these files, as the console receives them (issues or a refusal). */
async function problemsOf(name: string, content: Uint8Array): Promise<string[]> {
  try {
    return (await readFaqImport(content, name)).issues.map((i) => i.message);
  } catch (error) {
    if (error instanceof FaqParseError) return [error.detail];
    throw error;
  }
}

describe('issueInWords: the readers’ problems in Chinese first', () => {
  it('has words for every problem the readers report (so none is shown in English alone)', async () => {
    const files: [string, Uint8Array][] = [
      ['a.csv', bytes('Q,A\n年假,5天\n')],
      ['a.csv', bytes('问题,答案\n有问题,\n,有答案\n,,相似\n年假？,5天\n年假？,6天\n')],
      ['a.csv', bytes('id,问题,答案\nx,年假？,5天\nx,病假？,3天\n')],
      ['a.csv', new Uint8Array([0x41, 0x00, 0x42])],
      ['a.csv', new Uint8Array([0xe9, 0x97, 0xae, 0xff, 0xfe, 0x80])],
      ['a.csv', bytes('问题,答案\n"年假,5天\n')],
      ['a.pdf', bytes('%PDF')],
      ['a.xlsx', bytes('not a zip')],
      ['a.docx', bytes('not a zip')],
      ['a.md', bytes('## 年假有几天？\n\n## 病假？\n3 天\n')],
      ['a.txt', bytes('Q: 年假？\nQ: 病假？\n')],
      ['a.txt', bytes('A: 5 天\n')],
      ['a.txt', bytes('随便一行\n')],
      ['a.jsonl', bytes('{"question":"年假？"}\n')],
      ['a.jsonl', bytes('[1,2]\nnot json\n')],
    ];
    const problems = (await Promise.all(files.map(([name, content]) => problemsOf(name, content)))).flat();
    expect(problems.length).toBeGreaterThanOrEqual(files.length);
    for (const problem of problems) expect(issueInWords(problem), problem).not.toMatch(/^文件有问题：/);
  });

  it('keeps the detail after the Chinese, and says something for a detail it does not know', () => {
    expect(issueInWords('"年假？" is already a question on line 2')).toBe(
      '「年假？」与第 2 行的问题重复。"年假？" is already a question on line 2',
    );
    expect(issueInWords('something new')).toBe('文件有问题：something new');
  });
});
