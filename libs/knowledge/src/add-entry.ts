import {
  KnowledgeBaseNotFoundError,
  ProfileMismatchError,
  profileFingerprint,
  type Embedder,
  type VectorStore,
} from '@answerbridge/core';
import { entryIdFor, type EntryProvenance, type FaqEntry } from './faq-entry';
import { EntryRowsAssembler, questionCounts } from './entry-prototypes';
import { indexedRows, questionsOf } from './ingest-knowledge-base';

/** The entry a console save becomes: its id follows the question, so saving the same question again replaces it at the next ingest. */
export function savedEntryFor(input: {
  question: string;
  answer: string;
  similar?: string[];
  category?: string;
  provenance: EntryProvenance;
}): FaqEntry {
  return {
    id: `saved-${entryIdFor(input.question).slice(4)}`,
    kind: 'faq',
    question: input.question.trim(),
    similar: (input.similar ?? []).map((s) => s.trim()).filter(Boolean),
    answer: input.answer.trim(),
    ...(input.category ? { category: input.category } : {}),
    tags: ['saved-by-agent'],
    provenance: input.provenance,
  };
}

/**
 * Adds one entry to the active version, searchable at once (an approved "save as FAQ"). The next full
 * ingest replaces the version, so callers also keep the entry where ingests will find it again.
 */
export async function addEntryToActiveVersion(
  store: VectorStore,
  embedder: Embedder,
  knowledgeBase: string,
  entry: FaqEntry,
): Promise<FaqEntry> {
  const active = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  if (!active) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  const fingerprint = profileFingerprint(embedder.profile);
  if (active.profile !== fingerprint) throw new ProfileMismatchError(knowledgeBase, active.profile, fingerprint);
  const questions = questionsOf([entry]);
  const vectors = await embedder.embed(
    questions.map((q) => q.text),
    embedder.profile.indexAs,
  );
  const rows = new EntryRowsAssembler(questionCounts(questions)).add(indexedRows(questions, vectors));
  await store.insert(active.collection, knowledgeBase, rows);
  return entry;
}
