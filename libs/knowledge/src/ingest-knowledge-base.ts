import {
  AnswerbridgeError,
  profileFingerprint,
  type CollectionVersion,
  type Embedder,
  type IndexedQuestion,
  type VectorStore,
} from '@answerbridge/core';
import { EntryRowsAssembler, questionCounts } from './entry-prototypes';
import type { FaqEntry } from './faq-entry';

export interface IngestProgress {
  embedded: number;
  total: number;
}

export interface IngestResult {
  version: CollectionVersion;
  entries: number;
  questions: number;
  /** Older versions dropped beyond `keepVersions`. */
  dropped: string[];
}

export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /** How many versions to keep for rollback, the new one included. */
  keepVersions?: number;
}

/** Every question of every entry, canonical first: each one is indexed and points at the entry's answer. */
export function questionsOf(entries: FaqEntry[]): { pk: string; entry: FaqEntry; text: string }[] {
  return entries.flatMap((entry) => {
    // A document section is found by its heading and by what it opens with.
    const texts =
      entry.kind === 'doc'
        ? [entry.question, `${entry.question}\n${entry.answer.slice(0, 400)}`]
        : [entry.question, ...entry.similar];
    return texts.map((text, i) => ({ pk: `${entry.id}#${i}`, entry, text }));
  });
}

/**
 * The rows stored for questions and their vectors. The meta carries what reading a version back needs
 * (`kb diff`): the canonical question, and for console-saved entries who saved and approved them.
 */
export function indexedRows(
  questions: { pk: string; entry: FaqEntry; text: string }[],
  vectors: number[][],
): IndexedQuestion[] {
  return questions.map((q, i) => ({
    pk: q.pk,
    entryId: q.entry.id,
    text: q.text,
    answer: q.entry.answer,
    meta: {
      question: q.entry.question,
      kind: q.entry.kind ?? 'faq',
      category: q.entry.category ?? null,
      tags: q.entry.tags,
      canonical: q.pk.endsWith('#0'),
      ...(q.entry.provenance ? { provenance: q.entry.provenance } : {}),
    },
    vector: vectors[i] ?? [],
  }));
}

/**
 * Builds a new version of a knowledge base and switches the alias to it once it is complete, so
 * queries see the old version or the new one, never a half-built one.
 */
export async function ingestKnowledgeBase(
  store: VectorStore,
  embedder: Embedder,
  knowledgeBase: string,
  entries: FaqEntry[],
  options: IngestOptions = {},
): Promise<IngestResult> {
  const questions = questionsOf(entries);
  const profile = embedder.profile;
  const version = await store.createVersion(knowledgeBase, profileFingerprint(profile), profile.dimension);
  // Rows go in once their entry's questions are all embedded, carrying its prototype stats.
  const assembler = new EntryRowsAssembler(questionCounts(questions));
  // One insert in flight while the next batch is embedded: the ingest runs at the slower of the two
  // rates, not at their harmonic sum (bench/search: 0.77 of a GPU embedder's rate when done in turn).
  let inserting: Promise<void> = Promise.resolve();
  try {
    for (let i = 0; i < questions.length; i += profile.batchSize) {
      const batch = questions.slice(i, i + profile.batchSize);
      const vectors = await embedder.embed(
        batch.map((q) => q.text),
        profile.indexAs,
      );
      await inserting;
      const ready = assembler.add(indexedRows(batch, vectors));
      const embedded = i + batch.length;
      inserting = (ready.length ? store.insert(version.collection, knowledgeBase, ready) : Promise.resolve()).then(() =>
        options.onProgress?.({ embedded, total: questions.length }),
      );
      // Handled here so a failure while the next batch is embedded is not an unhandled rejection; the
      // `await inserting` above (or below) still throws it.
      inserting.catch(() => undefined);
    }
    await inserting;
    if (assembler.waiting > 0)
      throw new AnswerbridgeError('KNOWLEDGE.INCOMPLETE_INGEST', `${assembler.waiting} entries lack questions`, false);
    await store.activate(knowledgeBase, version.collection);
  } catch (error) {
    // The insert in flight may fail too, once the embedder has: the first failure is the one reported.
    await inserting.catch(() => undefined);
    // A failed build never becomes active; drop it so it does not count as a version.
    await store.dropVersion(version.collection).catch(() => undefined);
    throw error;
  }
  const keep = options.keepVersions ?? 3;
  const older = (await store.listVersions(knowledgeBase))
    .filter((v) => !v.active)
    .sort((a, b) => b.version - a.version);
  const dropped: string[] = [];
  for (const v of older.slice(Math.max(0, keep - 1))) {
    await store.dropVersion(v.collection);
    dropped.push(v.collection);
  }
  return { version: { ...version, active: true }, entries: entries.length, questions: questions.length, dropped };
}
