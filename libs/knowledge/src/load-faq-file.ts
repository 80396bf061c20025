import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FaqParseError, validateEntries, type FaqEntry } from './faq-entry';
import { decodeText } from './import/decode-text';
import { parseFaqCsv } from './parse-csv';
import { parseFaqJsonl } from './parse-jsonl';
import { parseFaqMarkdown } from './parse-markdown';
import { parseQaText } from './parse-qa-text';

const parsers: Record<string, (text: string, source: string) => FaqEntry[]> = {
  '.txt': parseQaText,
  '.qa': parseQaText,
  '.csv': parseFaqCsv,
  '.md': parseFaqMarkdown,
  '.markdown': parseFaqMarkdown,
  '.jsonl': parseFaqJsonl,
};

/** Parses an FAQ file by its extension (.txt/.qa Q:/A: text, .csv, .md, .jsonl). */
export function parseFaq(text: string, source: string): FaqEntry[] {
  const parser = parsers[path.extname(source).toLowerCase()];
  if (!parser)
    throw new FaqParseError(source, null, `unknown FAQ format; use one of ${Object.keys(parsers).join(', ')}`);
  if (text.includes('\u0000'))
    throw new FaqParseError(
      source,
      null,
      'binary file, not text (.xlsx and .docx are read by kb ingest and the console)',
    );
  return validateEntries(parser(text, source), source);
}

export function loadFaqFile(file: string): FaqEntry[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new FaqParseError(
      file,
      null,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  // GBK text (a CSV from Excel on Chinese Windows) is decoded as such, not garbled.
  return parseFaq(decodeText(bytes, file).text, file);
}
