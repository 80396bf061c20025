import { createHash } from 'node:crypto';
import {
  AnswerbridgeError,
  KnowledgeBaseNotFoundError,
  ProfileMismatchError,
  profileFingerprint,
  type Embedder,
  type LearnedPhrasing,
  type VectorStore,
} from '@answerbridge/core';
import { withoutPrototypeStats } from './entry-prototypes';
import type { FaqEntry } from './faq-entry';

// LearnedPhrasing and LearningSource live in libs/core (review-queue.ts), shared with the database adapter.
// LearningSource: picked-suggestion, the asker chose the entry from a list; agent-link, an agent said the
// entry answers it; unanswered-queue, an editor added a group of unanswered questions to it (未解决问题).
export type { LearnedPhrasing, LearningSource } from '@answerbridge/core';

/** Longer wordings are messages, not questions: an entry does not learn them. */
export const MAX_LEARNED_LENGTH = 200;

/** Case, width and spacing do not make a new phrasing. */
export function normalizedWording(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function learnedPhrasingId(knowledgeBase: string, entryId: string, text: string): string {
  const digest = createHash('sha1')
    .update(`${knowledgeBase}\u0000${entryId}\u0000${normalizedWording(text)}`)
    .digest('hex');
  return `p-${digest.slice(0, 20)}`;
}

export class LearnedEntryGoneError extends AnswerbridgeError {
  constructor(
    readonly knowledgeBase: string,
    readonly entryId: string,
  ) {
    super(
      'LEARNING.ENTRY_GONE',
      `entry ${entryId} is no longer in the live version of ${knowledgeBase}: the phrasing has nothing to join`,
      false,
    );
  }
}

/**
 * Adds learned phrasings to the entries they belong to (as similar questions, skipping wordings the entry
 * already has). Phrasings of entries that are no longer there are returned apart, so an ingest can say so.
 */
export function mergeLearnedPhrasings(
  entries: FaqEntry[],
  phrasings: LearnedPhrasing[],
): { entries: FaqEntry[]; merged: number; orphaned: LearnedPhrasing[] } {
  const byEntry = new Map<string, LearnedPhrasing[]>();
  for (const p of phrasings) byEntry.set(p.entryId, [...(byEntry.get(p.entryId) ?? []), p]);
  let merged = 0;
  const out = entries.map((entry) => {
    const learned = byEntry.get(entry.id);
    byEntry.delete(entry.id);
    if (!learned?.length || entry.kind === 'doc') return entry;
    const known = new Set([entry.question, ...entry.similar].map(normalizedWording));
    const added: string[] = [];
    for (const p of [...learned].sort((a, b) => a.savedAt - b.savedAt)) {
      const key = normalizedWording(p.text);
      if (known.has(key)) continue;
      known.add(key);
      added.push(p.text);
    }
    merged += added.length;
    return added.length ? { ...entry, similar: [...entry.similar, ...added] } : entry;
  });
  return { entries: out, merged, orphaned: [...byEntry.values()].flat() };
}

/**
 * Makes an approved phrasing searchable in the active version at once: one more row of its entry, with
 * the entry's answer and details as the live version has them now (not as they were when it was
 * learned). A wording the entry already has adds nothing. Returns the entry as it now reads.
 */
export async function addPhrasingToActiveVersion(
  store: VectorStore,
  embedder: Embedder,
  knowledgeBase: string,
  phrasing: Pick<LearnedPhrasing, 'id' | 'entryId' | 'text'>,
): Promise<FaqEntry> {
  const active = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  if (!active) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  const fingerprint = profileFingerprint(embedder.profile);
  if (active.profile !== fingerprint) throw new ProfileMismatchError(knowledgeBase, active.profile, fingerprint);
  const rows = await store.readEntry(active.collection, knowledgeBase, phrasing.entryId);
  const canonical = rows.find((r) => r.meta['canonical'] === true) ?? rows[0];
  if (!canonical) throw new LearnedEntryGoneError(knowledgeBase, phrasing.entryId);
  const question = typeof canonical.meta['question'] === 'string' ? canonical.meta['question'] : canonical.text;
  const entry: FaqEntry = {
    id: phrasing.entryId,
    question,
    similar: rows.filter((r) => r !== canonical).map((r) => r.text),
    answer: canonical.answer,
    tags: Array.isArray(canonical.meta['tags']) ? (canonical.meta['tags'] as string[]) : [],
  };
  if (rows.some((r) => normalizedWording(r.text) === normalizedWording(phrasing.text))) return entry;
  const [vector] = await embedder.embed([phrasing.text], embedder.profile.indexAs);
  const { provenance: _entryProvenance, ...meta } = canonical.meta;
  await store.insert(active.collection, knowledgeBase, [
    {
      // The id, not a position: positions belong to the entry's own questions, renumbered by each ingest.
      pk: `${phrasing.entryId}#${phrasing.id}`,
      entryId: phrasing.entryId,
      text: phrasing.text,
      answer: canonical.answer,
      // Not one of the questions its entry's prototype was built from (that waits for the next version).
      meta: { ...withoutPrototypeStats(meta), canonical: false, learned: true },
      vector: vector ?? [],
    },
  ]);
  return { ...entry, similar: [...entry.similar, phrasing.text] };
}
