import type { FaqEntry } from '../faq-entry';
import { mergeLearnedPhrasings, type LearnedPhrasing } from '../learned-phrasing';
import { planImport, type ImportMode, type ImportPlan } from './import-plan';

/** What the knowledge base keeps across imports, wherever it is stored: entries agents saved, phrasings learned from use. */
export interface KeptKnowledge {
  /** Entries saved from conversations and approved ("save as FAQ"). */
  entries: FaqEntry[];
  /** Approved phrasings learned from use, each tied to its entry. */
  phrasings: LearnedPhrasing[];
}

export interface PreparedImport {
  plan: ImportPlan;
  /** Every entry of the knowledge base after the import: the plan's, with the learned phrasings merged in. */
  entries: FaqEntry[];
  /** Saved entries the file does not have, kept. */
  saved: number;
  /** Learned phrasings merged into the entries they belong to. */
  learned: number;
  /** Learned phrasings whose entry the import leaves out (they are kept for when it comes back, not published). */
  learnedWithoutEntry: number;
}

/**
 * Everything an import does before it is published, shared by `kb ingest` and the console's 导入 so the two
 * cannot drift: the entries agents saved join the file's (unless the file has them), the phrasings learned from
 * use join the entries they belong to before the comparison with the live entries (so the plan says what the new
 * version really changes), and the plan is made in the mode asked for. Nothing is read or written here: where
 * the live and the kept entries come from is the caller's business.
 */
export function prepareImport(
  current: FaqEntry[],
  fromFile: FaqEntry[],
  kept: KeptKnowledge,
  mode: ImportMode,
): PreparedImport {
  const ids = new Set(fromFile.map((e) => e.id));
  const saved = kept.entries.filter((e) => !ids.has(e.id));
  const { entries: incoming, merged } = mergeLearnedPhrasings([...fromFile, ...saved], kept.phrasings);
  const plan = planImport(current, incoming, mode);
  // Entries kept from the live version carry their phrasings already; only a removed entry's are left over.
  const { entries, orphaned } = mergeLearnedPhrasings(plan.entries, kept.phrasings);
  return { plan, entries, saved: saved.length, learned: merged, learnedWithoutEntry: orphaned.length };
}
