import type { EntryChange, FaqEntry, FaqImport, PreparedImport } from '@answerbridge/knowledge';
import { issueInWords } from './knowledge-import-messages';

/** Entries listed per kind in a preview: the counts are always whole, the lists stop here. */
export const PREVIEW_LIST_LIMIT = 300;
/** An answer is shown up to here in a preview (the entry itself is published whole). */
const ANSWER_SHOWN = 600;

const clip = (text: string) => (text.length > ANSWER_SHOWN ? `${text.slice(0, ANSWER_SHOWN)}…` : text);

export interface ShownEntry {
  id: string;
  question: string;
  answer: string;
  similar: string[];
  category: string | null;
  tags: string[];
}

export interface FieldChange {
  field: 'question' | 'answer' | 'category' | 'tags';
  before: string;
  after: string;
}

const shown = (e: FaqEntry): ShownEntry => ({
  id: e.id,
  question: e.question,
  answer: clip(e.answer),
  similar: e.similar,
  category: e.category ?? null,
  tags: e.tags,
});

/** A changed entry as the page shows it: each changed field before and after, and the phrasings gained and lost. */
function changeShown(c: EntryChange) {
  const fields: FieldChange[] = [];
  if (c.before.question !== c.after.question)
    fields.push({ field: 'question', before: c.before.question, after: c.after.question });
  if (c.answerChanged) fields.push({ field: 'answer', before: clip(c.before.answer), after: clip(c.after.answer) });
  if ((c.before.category ?? '') !== (c.after.category ?? ''))
    fields.push({ field: 'category', before: c.before.category ?? '', after: c.after.category ?? '' });
  if (c.before.tags.join('\u0000') !== c.after.tags.join('\u0000'))
    fields.push({ field: 'tags', before: c.before.tags.join('、'), after: c.after.tags.join('、') });
  return {
    id: c.after.id,
    question: c.after.question,
    fields,
    questionsAdded: c.questionsAdded.filter((q) => q !== c.after.question),
    questionsRemoved: c.questionsRemoved.filter((q) => q !== c.before.question),
  };
}

const listed = <T, U>(items: T[], show: (item: T) => U) => items.slice(0, PREVIEW_LIST_LIMIT).map(show);

/**
 * What the page shows before anything is published: the counts, the entries added, changed (field by field) and
 * removed, and every problem the file has, with its row, in words (Chinese first).
 */
export function previewOf(read: FaqImport, prepared: PreparedImport, fromIndex: number) {
  const { plan } = prepared;
  return {
    mode: plan.mode,
    file: { name: read.source, format: read.format, encoding: read.encoding ?? null },
    counts: {
      rows: read.entries.length,
      added: plan.added.length,
      changed: plan.changed.length,
      removed: plan.removed.length,
      unchanged: plan.unchanged,
      skipped: plan.skipped.length,
      total: prepared.entries.length,
      issues: read.issues.length,
      saved: prepared.saved,
      learned: prepared.learned,
      learnedWithoutEntry: prepared.learnedWithoutEntry,
      fromIndex,
    },
    changesNothing: plan.added.length === 0 && plan.changed.length === 0 && plan.removed.length === 0,
    added: listed(plan.added, shown),
    changed: listed(plan.changed, changeShown),
    removed: listed(plan.removed, shown),
    skipped: listed(plan.skipped, (e) => ({ id: e.id, question: e.question })),
    issues: issuesOf(read),
  };
}

export function issuesOf(read: Pick<FaqImport, 'issues'>) {
  return read.issues.map((i) => ({ line: i.line, sheet: i.sheet ?? null, message: issueInWords(i.message) }));
}
