import type { VectorStore } from '@answerbridge/core';
import type { EntryProvenance, FaqEntry } from './faq-entry';

/**
 * The entries of one version read back from its rows (the search index is built from entries, so it can be
 * read back as them): the canonical question, its other phrasings, the answer and the details kept in each
 * row's meta. A document section's second row (its heading with its opening text) is not a phrasing.
 */
export async function entriesOfVersion(
  store: VectorStore,
  collection: string,
  knowledgeBase: string,
): Promise<FaqEntry[]> {
  const byEntry = new Map<string, FaqEntry>();
  for (const row of await store.readVersion(collection, knowledgeBase)) {
    const meta = row.meta;
    const question = typeof meta['question'] === 'string' ? meta['question'] : row.text;
    let entry = byEntry.get(row.entryId);
    if (!entry) {
      entry = {
        id: row.entryId,
        ...(meta['kind'] === 'doc' ? { kind: 'doc' as const } : {}),
        question,
        similar: [],
        answer: row.answer,
        ...(typeof meta['category'] === 'string' && meta['category'] ? { category: meta['category'] } : {}),
        tags: Array.isArray(meta['tags']) ? meta['tags'].filter((t): t is string => typeof t === 'string') : [],
        ...(isProvenance(meta['provenance']) ? { provenance: meta['provenance'] } : {}),
      };
      byEntry.set(row.entryId, entry);
    }
    if (row.text !== question && entry.kind !== 'doc' && !entry.similar.includes(row.text))
      entry.similar.push(row.text);
  }
  return [...byEntry.values()];
}

/** The entries of a knowledge base's active version; none when it has no version yet. */
export async function activeEntries(store: VectorStore, knowledgeBase: string): Promise<FaqEntry[]> {
  const active = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  return active ? entriesOfVersion(store, active.collection, knowledgeBase) : [];
}

function isProvenance(value: unknown): value is EntryProvenance {
  const p = value as Partial<EntryProvenance> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.savedBy === 'string' &&
    typeof p.approvedBy === 'string' &&
    typeof p.savedAt === 'number' &&
    typeof p.approvedAt === 'number'
  );
}
