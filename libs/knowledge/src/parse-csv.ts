import { parse } from 'csv-parse/sync';
import { FaqParseError, type FaqEntry } from './faq-entry';
import { entriesFromTable, type ImportIssue } from './import/faq-table';

/**
 * A question–answer table with a header row. Columns (English or Chinese names): question/问题,
 * answer/答案, and optionally id, similar/相似问题 (several separated by "|" or new lines, or in several
 * columns), category/分类, tags/标签 (separated by commas). Every bad row is reported with its line.
 */
export function parseFaqCsvRows(text: string, source: string): { entries: FaqEntry[]; issues: ImportIssue[] } {
  let records: string[][];
  const lines: number[] = [];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      // The line each record starts on (csv-parse counts the line it ends on), so problems name the line a
      // person sees in their editor even after a quoted multi-line answer.
      on_record: (record: string[], context: { lines: number }) => {
        lines.push(context.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0));
        return record;
      },
    }) as string[][];
  } catch (error) {
    throw new FaqParseError(source, null, `not valid CSV: ${(error as Error).message}`);
  }
  return entriesFromTable(records, { lineOf: (i) => lines[i] ?? i + 1 });
}

/** The same, refusing the file at its first problem (kb commands that take a file as it is). */
export function parseFaqCsv(text: string, source: string): FaqEntry[] {
  const { entries, issues } = parseFaqCsvRows(text, source);
  const [first] = issues;
  if (first) throw new FaqParseError(source, first.line, first.message);
  return entries;
}
