import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FaqParseError } from '../faq-entry';

export interface EvalQuery {
  query: string;
  /** The entry that answers it; null for an out-of-scope question that must not be answered. */
  expectedId: string | null;
}

const Line = z.object({ query: z.string().min(1), expected_id: z.string().min(1).nullable() });

/** Reads the eval sets' JSON Lines: {"query": "...", "expected_id": "faq-id" | null}. */
export function parseEvalQueries(text: string, source: string, knownIds: Set<string>): EvalQuery[] {
  const queries: EvalQuery[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new FaqParseError(source, i + 1, 'not a JSON object');
    }
    const parsed = Line.safeParse(raw);
    if (!parsed.success) throw new FaqParseError(source, i + 1, parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
    const { query, expected_id } = parsed.data;
    if (expected_id !== null && !knownIds.has(expected_id)) throw new FaqParseError(source, i + 1, `expected_id "${expected_id}" is not an entry of the FAQ`);
    queries.push({ query, expectedId: expected_id });
  });
  if (queries.length === 0) throw new FaqParseError(source, null, 'no queries');
  return queries;
}

export function loadEvalQueries(file: string, knownIds: Set<string>): EvalQuery[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FaqParseError(file, null, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseEvalQueries(text, file, knownIds);
}
