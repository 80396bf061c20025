import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FaqParseError, type FaqEntry } from '../faq-entry';
import { parseFaqCsvRows } from '../parse-csv';
import { parseFaqJsonl } from '../parse-jsonl';
import { parseFaqMarkdown } from '../parse-markdown';
import { parseQaText } from '../parse-qa-text';
import { decodeText, type TextEncodingName } from './decode-text';
import type { ImportIssue } from './faq-table';
import { docxToMarkdown, entriesOfDocxText } from './parse-docx';
import { parseFaqXlsx } from './parse-xlsx';

export type FaqImportFormat = 'xlsx' | 'csv' | 'docx' | 'markdown' | 'jsonl' | 'qa-text';

/** What a file holds, read but not yet applied: its entries, and every problem found (with its line). */
export interface FaqImport {
  source: string;
  format: FaqImportFormat;
  /** How a text file was decoded (GBK files are read as GB18030). */
  encoding?: TextEncodingName;
  entries: FaqEntry[];
  issues: ImportIssue[];
}

/** An FAQ is a few MB at most; a bigger upload is refused before it is parsed. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

const FORMATS: Record<string, FaqImportFormat> = {
  '.xlsx': 'xlsx',
  '.csv': 'csv',
  '.docx': 'docx',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.jsonl': 'jsonl',
  '.txt': 'qa-text',
  '.qa': 'qa-text',
};

export const importableExtensions = Object.keys(FORMATS);

/**
 * Reads an FAQ file of any format the knowledge base imports, by its name's extension: Excel .xlsx, CSV (UTF-8
 * with or without BOM, GBK/GB18030), Word .docx and Markdown (headings become entries), JSON Lines, and the
 * Q:/A: text format. Problems are collected, not thrown, so a preview can show them all; a file that cannot be
 * read at all (unknown format, too big, not the format its name says) is refused with a FaqParseError.
 */
export async function readFaqImport(bytes: Uint8Array, name: string): Promise<FaqImport> {
  const source = path.basename(name);
  const extension = path.extname(name).toLowerCase();
  const format = FORMATS[extension];
  if (!format)
    throw new FaqParseError(
      source,
      null,
      `cannot import "${extension || name}" files; use one of ${importableExtensions.join(', ')} (an .xls must be saved as .xlsx)`,
    );
  if (bytes.byteLength > MAX_IMPORT_BYTES)
    throw new FaqParseError(source, null, `the file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  if (format === 'xlsx') return { source, format, ...(await parseFaqXlsx(bytes, source)) };
  if (format === 'docx') {
    // A file that is not a Word document is refused; a document without entries is an issue to show.
    const text = await docxToMarkdown(bytes, source);
    return { source, format, ...whole(await collect(async () => entriesOfDocxText(text, source))) };
  }
  const { text, encoding } = decodeText(bytes, source);
  if (format === 'csv') return { source, format, encoding, ...parseFaqCsvRows(text, source) };
  const parse = format === 'markdown' ? parseFaqMarkdown : format === 'jsonl' ? parseFaqJsonl : parseQaText;
  return { source, format, encoding, ...whole(await collect(async () => parse(text, source))) };
}

/** Reads an FAQ file from disk, refusing it at its first problem (the kb commands). */
export async function readFaqFile(file: string): Promise<FaqEntry[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new FaqParseError(
      file,
      null,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const read = await readFaqImport(bytes, file);
  const [first] = read.issues;
  if (first)
    throw new FaqParseError(
      file,
      first.line,
      `${first.sheet ? `sheet "${first.sheet}": ` : ''}${first.message}` +
        (read.issues.length > 1 ? ` (and ${read.issues.length - 1} more problems)` : ''),
    );
  return read.entries;
}

/** The formats that read a document as a whole stop at their first problem: it becomes the one issue. */
async function collect(read: () => Promise<FaqEntry[]>): Promise<{ entries: FaqEntry[]; issues: ImportIssue[] }> {
  try {
    return { entries: await read(), issues: [] };
  } catch (error) {
    if (!(error instanceof FaqParseError)) throw error;
    return { entries: [], issues: [{ line: error.line, message: error.detail }] };
  }
}

/** Checks the entries as a whole (unique ids, nothing empty), as issues. */
function whole(read: { entries: FaqEntry[]; issues: ImportIssue[] }): { entries: FaqEntry[]; issues: ImportIssue[] } {
  const issues = [...read.issues];
  const ids = new Set<string>();
  const entries = read.entries.filter((e) => {
    if (ids.has(e.id)) return void issues.push({ line: null, message: `duplicate entry id ${e.id} ("${e.question}")` });
    ids.add(e.id);
    return true;
  });
  if (entries.length === 0 && issues.length === 0) issues.push({ line: null, message: 'no FAQ entries found' });
  return { entries, issues };
}
