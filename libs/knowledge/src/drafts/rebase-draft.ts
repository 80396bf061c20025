import type { KnowledgeEntryChangeRecord } from '@answerbridge/core';
import type { FaqEntry } from '../faq-entry';

export interface RebasedDraft {
  /** The draft's entries with what others published since it was started taken in. */
  entries: FaqEntry[];
  /** Entries both the draft and a publication since changed, each its own way: the draft cannot take both. */
  conflicts: { entryId: string; question: string }[];
}

/** What an entry says, for comparing two states of it: its words, not where it came from or its order. */
const contentOf = (e: FaqEntry | null) =>
  e === null
    ? 'null'
    : JSON.stringify([
        e.kind ?? 'faq',
        e.question,
        e.answer,
        [...e.similar].sort(),
        e.category ?? null,
        [...e.tags].sort(),
      ]);

/**
 * A draft started on an older revision, brought up to date with what was published since (an approval from the
 * review queue, an import, another editor's draft) — a three-way merge per entry, the change log giving the
 * entry as it was when the draft started (the first change's `before`) and as it is now (the last `after`):
 * an entry the draft left as it was takes the published state (added, changed or removed); one the draft changed
 * the same way stays; one the draft changed differently is a conflict. Pure.
 */
export function rebaseDraft(
  draft: readonly FaqEntry[],
  changesSince: readonly KnowledgeEntryChangeRecord[],
): RebasedDraft {
  const published = new Map<string, { before: FaqEntry | null; after: FaqEntry | null }>();
  for (const c of changesSince) {
    const seen = published.get(c.entryId);
    const after = (c.after as FaqEntry | null) ?? null;
    if (seen) seen.after = after;
    else published.set(c.entryId, { before: (c.before as FaqEntry | null) ?? null, after });
  }
  const entries = [...draft];
  const conflicts: RebasedDraft['conflicts'] = [];
  for (const [entryId, { before, after }] of published) {
    const at = entries.findIndex((e) => e.id === entryId);
    const mine = at >= 0 ? entries[at]! : null;
    if (contentOf(mine) === contentOf(after)) continue;
    if (contentOf(mine) !== contentOf(before)) {
      conflicts.push({ entryId, question: (mine ?? after ?? before)?.question ?? entryId });
      continue;
    }
    if (after === null) entries.splice(at, 1);
    else if (at >= 0) entries[at] = structuredClone(after);
    else entries.push(structuredClone(after));
  }
  return { entries, conflicts };
}
