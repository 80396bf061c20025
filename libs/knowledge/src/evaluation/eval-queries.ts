import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { FaqParseError } from '../faq-entry';
import { parseJsonLines } from '../json-lines';

export interface EvalQuery {
  query: string;
  /** The entry that answers it; null for an out-of-scope question that must not be answered. */
  expectedId: string | null;
  /** Optional group for the breakdown: near-miss, out-of-scope, typo, colloquial… */
  kind?: string;
}

const Line = z.object({
  query: z.string().min(1),
  expected_id: z.string().min(1).nullable(),
  kind: z.string().min(1).max(40).optional(),
});

/** Reads the eval sets' JSON Lines: {"query": "...", "expected_id": "faq-id" | null}. */
export function parseEvalQueries(text: string, source: string, knownIds: Set<string>): EvalQuery[] {
  const lines = parseJsonLines(text, source, Line);
  if (lines.length === 0) throw new FaqParseError(source, null, 'no queries');
  return lines.map(({ query, expected_id, kind }, i) => {
    if (expected_id !== null && !knownIds.has(expected_id))
      throw new FaqParseError(
        source,
        null,
        `query ${i + 1} ("${query}"): expected_id "${expected_id}" is not an entry of the FAQ`,
      );
    return { query, expectedId: expected_id, ...(kind ? { kind } : {}) };
  });
}

export function loadEvalQueries(file: string, knownIds: Set<string>): EvalQuery[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FaqParseError(
      file,
      null,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseEvalQueries(text, file, knownIds);
}
