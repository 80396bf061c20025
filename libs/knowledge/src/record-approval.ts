import {
  KnowledgeChangedError,
  type KnowledgeRepository,
  type KnowledgeVersionRecord,
  type VectorStore,
} from '@answerbridge/core';
import type { FaqEntry } from './faq-entry';
import { mergeLearnedPhrasings, normalizedWording, type LearnedPhrasing } from './learned-phrasing';
import { recordedEntries } from './publish-entries';

/** Publications that lose the race with another one are planned again this many times before giving up. */
const ATTEMPTS = 5;

export interface RecordedAdditions {
  /** Entries to record: new ids are added; one already recorded is replaced only with `replaceEntries`. */
  entries: FaqEntry[];
  /** Learned phrasings: each joins its recorded entry as a similar question (an entry not recorded skips it). */
  phrasings: LearnedPhrasing[];
  /** An approval replaces an entry of the same id (the same question saved again); a data move keeps what is recorded. */
  replaceEntries: boolean;
  by: string;
  /** For people, in the version history: "审核通过 d-…". */
  source: string;
}

const sameEntry = (a: FaqEntry, b: FaqEntry) =>
  JSON.stringify([
    a.kind ?? 'faq',
    a.question,
    a.similar,
    a.answer,
    a.category ?? null,
    a.tags,
    a.provenance ?? null,
  ]) ===
  JSON.stringify([b.kind ?? 'faq', b.question, b.similar, b.answer, b.category ?? null, b.tags, b.provenance ?? null]);

/**
 * Records what an editor approved (an entry saved from a conversation, a learned phrasing) among a knowledge
 * base's entries in the system of record: one publication (mode console) on the entries as recorded. The
 * search index is not rebuilt: the caller has already put the addition into the active version, so that version
 * is what the publication is recorded against. Nothing is published when the entries already say it all (an
 * approval finished again), except for a knowledge base never recorded, whose entries are then recorded from the
 * active version. Returns the publication, or null when none was needed.
 */
export async function recordAdditions(
  deps: { repository: KnowledgeRepository; store: VectorStore },
  knowledgeBase: string,
  additions: RecordedAdditions,
): Promise<KnowledgeVersionRecord | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await recordOnce(deps, knowledgeBase, additions);
    } catch (error) {
      if (!(error instanceof KnowledgeChangedError) || attempt >= ATTEMPTS) throw error;
    }
  }
}

async function recordOnce(
  deps: { repository: KnowledgeRepository; store: VectorStore },
  knowledgeBase: string,
  additions: RecordedAdditions,
): Promise<KnowledgeVersionRecord | null> {
  const current = await recordedEntries(deps.repository, deps.store, knowledgeBase);
  // Read from the index (nothing recorded yet), the entries already hold the additions the caller put there:
  // they are set apart, so the first publication says what the approval added.
  const base = current.from === 'index' ? withoutAdditions(current.entries, additions) : current.entries;
  const next = [...base];
  for (const entry of additions.entries) {
    const at = next.findIndex((e) => e.id === entry.id);
    if (at < 0) next.push(entry);
    else if (additions.replaceEntries) next[at] = entry;
  }
  const { entries } = mergeLearnedPhrasings(next, additions.phrasings);
  const before = new Map(base.map((e) => [e.id, e]));
  const added = entries.filter((e) => !before.has(e.id));
  const changed = entries.flatMap((after) => {
    const was = before.get(after.id);
    return was && !sameEntry(was, after) ? [{ before: was, after }] : [];
  });
  if (!added.length && !changed.length && current.from === 'database') return null;
  const active = (await deps.store.listVersions(knowledgeBase)).find((v) => v.active);
  const version = await deps.repository.publish({
    knowledgeBase,
    basedOn: current.revision,
    entries,
    added,
    changed,
    removed: [],
    by: additions.by,
    source: additions.source,
    mode: 'console',
  });
  if (!active) {
    await deps.repository.markFailed(version.id, 'no active search-index version: the next kb ingest builds one');
    return { ...version, status: 'failed' };
  }
  await deps.repository.markBuilt(version.id, { number: active.version, collection: active.collection });
  return { ...version, status: 'published', number: active.version, collection: active.collection };
}

/** The entries without the added ones and without the added phrasings (as the index had them before). */
function withoutAdditions(entries: FaqEntry[], additions: RecordedAdditions): FaqEntry[] {
  const added = new Set(additions.entries.map((e) => e.id));
  return entries
    .filter((e) => !added.has(e.id))
    .map((e) => {
      const learned = new Set(
        additions.phrasings.filter((p) => p.entryId === e.id).map((p) => normalizedWording(p.text)),
      );
      return learned.size ? { ...e, similar: e.similar.filter((q) => !learned.has(normalizedWording(q))) } : e;
    });
}
