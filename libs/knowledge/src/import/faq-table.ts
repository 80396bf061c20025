import { entryIdFor, type FaqEntry } from '../faq-entry';

/** A problem with one row of an imported table (or with the whole file, line null), shown before anything changes. */
export interface ImportIssue {
  /** 1-based line (CSV) or row (spreadsheet) number, null for the file as a whole. */
  line: number | null;
  /** The worksheet, for spreadsheets. */
  sheet?: string;
  message: string;
}

type Field = 'id' | 'question' | 'answer' | 'similar' | 'category' | 'tags';

const HEADERS: Record<string, Field> = {
  id: 'id',
  编号: 'id',
  question: 'question',
  问题: 'question',
  标准问题: 'question',
  标准问: 'question',
  answer: 'answer',
  答案: 'answer',
  回答: 'answer',
  标准答案: 'answer',
  similar: 'similar',
  similar_questions: 'similar',
  相似问题: 'similar',
  相似问法: 'similar',
  相似问: 'similar',
  category: 'category',
  分类: 'category',
  类别: 'category',
  tags: 'tags',
  标签: 'tags',
};

/** A header cell's field: case, spaces, a trailing number ("相似问题2") and a note in brackets ("标签（逗号分隔）") do not matter. */
export function fieldOfHeader(header: string): Field | undefined {
  const name = header
    .trim()
    .toLowerCase()
    .replace(/[（(][^）)]*[）)]$/, '')
    .replace(/[\s_-]*\d+$/, '')
    .trim();
  return HEADERS[name] ?? HEADERS[name.replace(/\s+/g, '_')];
}

/** True when this row names at least a question and an answer column. */
export function isFaqHeader(cells: string[]): boolean {
  const fields = cells.map(fieldOfHeader);
  return fields.includes('question') && fields.includes('answer');
}

const splitList = (cell: string, separators: RegExp) =>
  cell
    .split(separators)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Entries from a question–answer table whose first row is its header. Several similar questions fit in one
 * cell (one per line, or separated by "|"), in several 相似问题 columns, or in the rows below an entry that
 * leave 问题 and 答案 empty. A bad row is reported with its line and skipped; the other rows still count, so
 * a preview shows every problem at once.
 */
export function entriesFromTable(
  rows: string[][],
  options: { lineOf?: (rowIndex: number) => number } = {},
): { entries: FaqEntry[]; issues: ImportIssue[] } {
  const lineOf = options.lineOf ?? ((i: number) => i + 1);
  const [header, ...body] = rows;
  const issues: ImportIssue[] = [];
  if (!header || !isFaqHeader(header)) {
    issues.push({
      line: header ? lineOf(0) : null,
      message: `the first row must name the columns 问题 and 答案 (or question and answer)${header ? `; it has: ${header.filter(Boolean).join(', ')}` : '; the file is empty'}`,
    });
    return { entries: [], issues };
  }
  const fields = header.map(fieldOfHeader);
  const entries: FaqEntry[] = [];
  const ids = new Map<string, number>();
  const questions = new Map<string, number>();
  let previous: FaqEntry | null = null;
  body.forEach((cells, i) => {
    const line = lineOf(i + 1);
    const value = (field: Field) =>
      fields
        .flatMap((f, c) => (f === field ? [cells[c]?.trim() ?? ''] : []))
        .filter(Boolean)
        .join('\n');
    const question = value('question');
    const answer = value('answer');
    const similar = splitList(value('similar'), /\r?\n|[|｜]/);
    if (!question && !answer) {
      // A row of similar questions only continues the entry above it; a blank row is nothing.
      if (similar.length === 0 && !value('category') && !value('tags')) return;
      if (previous && similar.length > 0) previous.similar.push(...similar.filter((s) => s !== previous?.question));
      else issues.push({ line, message: 'a row with similar questions but no entry above it to add them to' });
      return;
    }
    previous = null;
    if (!question) return void issues.push({ line, message: 'an answer without a question (问题 is empty)' });
    if (!answer) return void issues.push({ line, message: `"${question}" has no answer (答案 is empty)` });
    const id = value('id') || entryIdFor(question);
    const key = question.replace(/\s+/g, '');
    const sameQuestion = questions.get(key);
    if (sameQuestion !== undefined)
      return void issues.push({ line, message: `"${question}" is already a question on line ${sameQuestion}` });
    const sameId = ids.get(id);
    if (sameId !== undefined) return void issues.push({ line, message: `id ${id} is already used on line ${sameId}` });
    ids.set(id, line);
    questions.set(key, line);
    const category = value('category');
    const entry: FaqEntry = {
      id,
      question,
      similar: similar.filter((s) => s !== question),
      answer,
      ...(category ? { category } : {}),
      tags: splitList(value('tags'), /[,，、;；\n]/),
    };
    entries.push(entry);
    previous = entry;
  });
  if (entries.length === 0 && issues.length === 0) issues.push({ line: null, message: 'no FAQ entries found' });
  return { entries, issues };
}
