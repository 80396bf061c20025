import type { FaqEntry } from '../faq-entry';

/**
 * How imported entries meet the live ones. replace: the file becomes the whole knowledge base (entries it
 * lacks are removed, and an entry's questions are the file's). upsert: entries are matched by id, else by
 * canonical question, and updated or added; nothing is removed: a matched entry takes the file's answer, keeps
 * its similar questions and gains the file's new ones, and keeps its category and tags where the file has
 * none. append: only entries that match nothing are added; matching ones are left as they are.
 */
export type ImportMode = 'replace' | 'upsert' | 'append';
export const IMPORT_MODES: readonly ImportMode[] = ['replace', 'upsert', 'append'];

export interface EntryChange {
  before: FaqEntry;
  after: FaqEntry;
  answerChanged: boolean;
  questionsAdded: string[];
  questionsRemoved: string[];
  /** Category or tags changed. */
  detailsChanged: boolean;
}

export interface ImportPlan {
  mode: ImportMode;
  /** The knowledge base as it will be. */
  entries: FaqEntry[];
  added: FaqEntry[];
  changed: EntryChange[];
  removed: FaqEntry[];
  /** append: imported entries that match a live one and were left out. */
  skipped: FaqEntry[];
  unchanged: number;
}

const questionKey = (question: string) => question.replace(/\s+/g, '').toLowerCase();

function changeOf(before: FaqEntry, after: FaqEntry): EntryChange | null {
  const questions = (e: FaqEntry) => [e.question, ...e.similar];
  const beforeQuestions = new Set(questions(before));
  const afterQuestions = new Set(questions(after));
  const change: EntryChange = {
    before,
    after,
    answerChanged: before.answer.trim() !== after.answer.trim(),
    questionsAdded: questions(after).filter((q) => !beforeQuestions.has(q)),
    questionsRemoved: questions(before).filter((q) => !afterQuestions.has(q)),
    detailsChanged:
      (before.category ?? '') !== (after.category ?? '') ||
      before.tags.join('\u0000') !== after.tags.join('\u0000') ||
      before.question !== after.question,
  };
  return change.answerChanged || change.questionsAdded.length || change.questionsRemoved.length || change.detailsChanged
    ? change
    : null;
}

/** An upserted entry: what the file says, over what the live entry has that the file does not say. */
function updated(live: FaqEntry, file: FaqEntry): FaqEntry {
  const known = new Set([file.question, ...file.similar]);
  const category = file.category ?? live.category;
  const provenance = file.provenance ?? live.provenance;
  return {
    ...file,
    id: live.id,
    similar: [...file.similar, ...[live.question, ...live.similar].filter((q) => !known.has(q))],
    ...(category ? { category } : {}),
    tags: file.tags.length ? file.tags : live.tags,
    ...(provenance ? { provenance } : {}),
  };
}

/**
 * What importing `incoming` into a knowledge base holding `current` does, before anything is done: the
 * resulting entries and the differences, for a preview or the kb ingest summary. An imported entry matched by
 * its question keeps the live entry's id, so what hangs on the id (learned phrasings, statistics) stays with it.
 */
export function planImport(current: FaqEntry[], incoming: FaqEntry[], mode: ImportMode): ImportPlan {
  const byId = new Map(current.map((e) => [e.id, e]));
  const byQuestion = new Map(current.map((e) => [questionKey(e.question), e]));
  const matched = new Map<string, FaqEntry>();
  const plan: ImportPlan = { mode, entries: [], added: [], changed: [], removed: [], skipped: [], unchanged: 0 };
  for (const entry of incoming) {
    const live = byId.get(entry.id) ?? byQuestion.get(questionKey(entry.question));
    if (!live || matched.has(live.id)) {
      plan.added.push(entry);
      continue;
    }
    if (mode === 'append') {
      plan.skipped.push(entry);
      matched.set(live.id, live);
      continue;
    }
    const after = mode === 'replace' ? { ...entry, id: live.id } : updated(live, entry);
    matched.set(live.id, after);
    const change = changeOf(live, after);
    if (change) plan.changed.push(change);
    else plan.unchanged++;
  }
  for (const live of current) {
    const next = matched.get(live.id);
    if (next) plan.entries.push(next);
    else if (mode === 'replace') plan.removed.push(live);
    else {
      plan.entries.push(live);
      plan.unchanged++;
    }
  }
  plan.entries.push(...plan.added);
  if (mode === 'append') plan.unchanged += plan.skipped.length;
  return plan;
}

/** True when applying the plan would change nothing. */
export const planChangesNothing = (plan: ImportPlan) =>
  plan.added.length === 0 && plan.changed.length === 0 && plan.removed.length === 0;
