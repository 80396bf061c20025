import { parse } from 'csv-parse/sync';
import { FaqParseError, entryIdFor, type FaqEntry } from './faq-entry';

const COLUMN_NAMES: Record<string, keyof Row> = {
  id: 'id',
  question: 'question',
  问题: 'question',
  标准问题: 'question',
  answer: 'answer',
  答案: 'answer',
  similar: 'similar',
  similar_questions: 'similar',
  相似问题: 'similar',
  category: 'category',
  分类: 'category',
  tags: 'tags',
  标签: 'tags',
};

interface Row {
  id?: string;
  question?: string;
  answer?: string;
  similar?: string;
  category?: string;
  tags?: string;
}

/**
 * A question–answer table with a header row. Columns (English or Chinese names): question/问题,
 * answer/答案, and optionally id, similar/相似问题 (several separated by "|" or new lines),
 * category/分类, tags/标签 (separated by commas).
 */
export function parseFaqCsv(text: string, source: string): FaqEntry[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
  } catch (error) {
    throw new FaqParseError(source, null, `not valid CSV: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new FaqParseError(source, null, 'empty CSV');
  const columns = header.map((h) => COLUMN_NAMES[h.trim().toLowerCase()] ?? COLUMN_NAMES[h.trim()]);
  if (!columns.includes('question') || !columns.includes('answer')) {
    throw new FaqParseError(
      source,
      1,
      `header needs "question" and "answer" columns (or 问题 and 答案); got ${header.join(', ')}`,
    );
  }
  return rows.map((cells, i) => {
    const row: Row = {};
    columns.forEach((col, c) => {
      if (col && cells[c] !== undefined) row[col] = cells[c];
    });
    const line = i + 2;
    if (!row.question) throw new FaqParseError(source, line, 'empty question');
    if (!row.answer) throw new FaqParseError(source, line, `question "${row.question}" has no answer`);
    return {
      id: row.id || entryIdFor(row.question),
      question: row.question,
      similar: (row.similar ?? '')
        .split(/[|\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
      answer: row.answer,
      ...(row.category ? { category: row.category } : {}),
      tags: (row.tags ?? '')
        .split(/[,，]/)
        .map((t) => t.trim())
        .filter(Boolean),
    };
  });
}
