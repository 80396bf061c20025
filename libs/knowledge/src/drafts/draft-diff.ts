import type { KnowledgeDraftRecord } from '@answerbridge/core';
import type { FaqEntry } from '../faq-entry';
import type { ImportPlan } from '../import/import-plan';
import type { RecordedEntries } from '../publish-entries';

/** The parts of an entry a page shows side by side (the changed ones highlighted). */
export type ChangedField = 'question' | 'answer' | 'similar' | 'category' | 'tags';

export interface DraftEntryChange {
  before: FaqEntry;
  after: FaqEntry;
  fields: ChangedField[];
  questionsAdded: string[];
  questionsRemoved: string[];
}

/** What publishing a draft would change, for people to read before they confirm. */
export interface DraftDiff {
  draft: Omit<KnowledgeDraftRecord, 'entries'>;
  /** The live entries' revision now. */
  revision: number | null;
  /** Someone published since the draft was started: publishing it is refused; it can only be discarded. */
  stale: boolean;
  added: FaqEntry[];
  changed: DraftEntryChange[];
  removed: FaqEntry[];
  unchanged: number;
  /** Entries after publishing. */
  entryCount: number;
  /** The last publication's search index was not built: publishing builds it, even with nothing changed. */
  rebuild: boolean;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function changedFields(before: FaqEntry, after: FaqEntry): ChangedField[] {
  const fields: ChangedField[] = [];
  if (before.question !== after.question) fields.push('question');
  if (before.answer.trim() !== after.answer.trim()) fields.push('answer');
  if (!same(before.similar, after.similar)) fields.push('similar');
  if ((before.category ?? '') !== (after.category ?? '')) fields.push('category');
  if (!same(before.tags, after.tags)) fields.push('tags');
  return fields;
}

export function draftDiff(
  draft: Omit<KnowledgeDraftRecord, 'entries'>,
  live: RecordedEntries,
  plan: ImportPlan,
  rebuild = false,
): DraftDiff {
  return {
    draft,
    revision: live.revision,
    stale: live.revision !== draft.basedOn,
    added: plan.added,
    changed: plan.changed.map((c) => ({
      before: c.before,
      after: c.after,
      fields: changedFields(c.before, c.after),
      questionsAdded: c.questionsAdded,
      questionsRemoved: c.questionsRemoved,
    })),
    removed: plan.removed,
    unchanged: plan.unchanged,
    entryCount: plan.entries.length,
    rebuild,
  };
}
