import { createHash } from 'node:crypto';
import { AnswerbridgeError } from '@answerbridge/core';

/** One FAQ entry: one answer, the canonical question and its other phrasings (all indexed). */
export interface FaqEntry {
  id: string;
  /**
   * faq: a question with its answer. doc: a section of a Markdown document (its heading path is the
   * "question", its text the answer), indexed by heading and by opening text.
   */
  kind?: 'faq' | 'doc';
  question: string;
  similar: string[];
  answer: string;
  category?: string;
  tags: string[];
  /** Set on entries that came from the console ("save as FAQ"): who wrote them and who let them go live. */
  provenance?: EntryProvenance;
}

/** Who put a console-saved entry in front of askers; kept in the indexed rows, so `kb diff` can name them. */
export interface EntryProvenance {
  savedBy: string;
  savedAt: number;
  approvedBy: string;
  approvedAt: number;
}

export class FaqParseError extends AnswerbridgeError {
  constructor(
    readonly source: string,
    readonly line: number | null,
    /** The problem alone, without the file and line (an import preview shows those in columns of their own). */
    readonly detail: string,
  ) {
    super('KNOWLEDGE.BAD_FAQ_FILE', `${source}${line === null ? '' : `:${line}`}: ${detail}`, false);
  }
}

/** A stable id from the canonical question, so re-ingesting the same file yields the same ids. */
export function entryIdFor(question: string): string {
  return `faq-${createHash('sha1').update(question.trim()).digest('hex').slice(0, 12)}`;
}

/** Checks the entries as a whole: non-empty, unique ids, no empty questions or answers. */
export function validateEntries(entries: FaqEntry[], source: string): FaqEntry[] {
  if (entries.length === 0) throw new FaqParseError(source, null, 'no FAQ entries found');
  const ids = new Set<string>();
  for (const e of entries) {
    if (!e.question.trim()) throw new FaqParseError(source, null, `entry ${e.id} has an empty question`);
    if (!e.answer.trim()) throw new FaqParseError(source, null, `entry "${e.question}" has no answer`);
    if (ids.has(e.id)) throw new FaqParseError(source, null, `duplicate entry id ${e.id} ("${e.question}")`);
    ids.add(e.id);
  }
  return entries;
}
