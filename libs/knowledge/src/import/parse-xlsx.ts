import ExcelJS from 'exceljs';
import { FaqParseError, type FaqEntry } from '../faq-entry';
import { entriesFromTable, fieldOfHeader, isFaqHeader, type ImportIssue } from './faq-table';

/** Title rows above the header are common ("2026 年员工 FAQ"); the header is looked for in the first rows. */
const HEADER_SEARCH_ROWS = 10;
/** A workbook is read into memory whole: more rows than an FAQ has is a mistake (or a zip bomb), not an FAQ. */
export const MAX_SPREADSHEET_ROWS = 50_000;

/**
 * An Excel workbook (.xlsx): each worksheet whose header (in its first rows) names 问题 and 答案 is a table
 * of entries (see `entriesFromTable`). Cells are read as Excel shows them (formulas by their result, rich
 * text as plain text), and a merged cell counts in every row it spans, so a 分类 merged down a block of
 * questions applies to each. When several sheets hold entries and have no 分类 column, the sheet's name is
 * the category.
 */
export async function parseFaqXlsx(
  bytes: Uint8Array,
  source: string,
): Promise<{ entries: FaqEntry[]; issues: ImportIssue[] }> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
  } catch (error) {
    throw new FaqParseError(
      source,
      null,
      `not an Excel .xlsx workbook (${(error as Error).message}); an old .xls must be saved as .xlsx first`,
    );
  }
  const tables: { sheet: string; rows: string[][]; rowNumbers: number[]; hasCategory: boolean }[] = [];
  const issues: ImportIssue[] = [];
  let rowCount = 0;
  for (const sheet of workbook.worksheets) {
    rowCount += sheet.actualRowCount;
    if (rowCount > MAX_SPREADSHEET_ROWS)
      throw new FaqParseError(source, null, `more than ${MAX_SPREADSHEET_ROWS} rows: split the workbook`);
    const rows: string[][] = [];
    const rowNumbers: number[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: string[] = [];
      for (let c = 1; c <= sheet.actualColumnCount; c++) cells.push(cellText(row.getCell(c)));
      rows.push(cells);
      rowNumbers.push(rowNumber);
    });
    const headerAt = rows.slice(0, HEADER_SEARCH_ROWS).findIndex(isFaqHeader);
    if (headerAt === -1) {
      if (rows.length > 0)
        issues.push({ line: null, sheet: sheet.name, message: 'skipped: no header row naming 问题 and 答案' });
      continue;
    }
    const header = rows[headerAt] ?? [];
    tables.push({
      sheet: sheet.name,
      rows: rows.slice(headerAt),
      rowNumbers: rowNumbers.slice(headerAt),
      hasCategory: header.some((h) => fieldOfHeader(h) === 'category'),
    });
  }
  if (tables.length === 0) {
    issues.push({ line: null, message: 'no worksheet has a header row naming the columns 问题 and 答案' });
    return { entries: [], issues };
  }
  const entries: FaqEntry[] = [];
  const seen = new Set<string>();
  for (const table of tables) {
    const read = entriesFromTable(table.rows, { lineOf: (i) => table.rowNumbers[i] ?? i + 1 });
    issues.push(...read.issues.map((issue) => ({ ...issue, sheet: table.sheet })));
    for (const entry of read.entries) {
      if (seen.has(entry.id)) {
        issues.push({ line: null, sheet: table.sheet, message: `"${entry.question}" is also on an earlier sheet` });
        continue;
      }
      seen.add(entry.id);
      const category = entry.category ?? (tables.length > 1 && !table.hasCategory ? table.sheet : undefined);
      entries.push(category ? { ...entry, category } : entry);
    }
  }
  return { entries, issues };
}

/** What Excel shows in the cell; a merged cell's value is its master's. */
function cellText(cell: ExcelJS.Cell): string {
  const source = cell.isMerged ? cell.master : cell;
  try {
    return source.text ?? '';
  } catch {
    // exceljs throws on a few malformed values (an error cell without its code); such a cell reads as empty.
    return '';
  }
}
