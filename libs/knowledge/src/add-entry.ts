import { profileFingerprint, type Embedder } from '@answerbridge/embedding';
import { KnowledgeBaseNotFoundError, ProfileMismatchError, type MilvusVectorStore } from '@answerbridge/vector-store';
import { entryIdFor, type FaqEntry } from './faq-entry';
import { questionsOf } from './ingest-knowledge-base';

/**
 * Adds one entry to the active version, searchable at once (an agent's "save as FAQ"). The next full
 * ingest replaces the version, so callers also keep the entry where ingests will find it again.
 */
export async function addEntryToActiveVersion(store: MilvusVectorStore, embedder: Embedder, knowledgeBase: string, input: { question: string; answer: string; similar?: string[]; category?: string }): Promise<FaqEntry> {
  const active = (await store.listVersions(knowledgeBase)).find((v) => v.active);
  if (!active) throw new KnowledgeBaseNotFoundError(knowledgeBase);
  const fingerprint = profileFingerprint(embedder.profile);
  if (active.profile !== fingerprint) throw new ProfileMismatchError(knowledgeBase, active.profile, fingerprint);
  const entry: FaqEntry = {
    id: `saved-${entryIdFor(input.question).slice(4)}`,
    kind: 'faq',
    question: input.question.trim(),
    similar: (input.similar ?? []).map((s) => s.trim()).filter(Boolean),
    answer: input.answer.trim(),
    ...(input.category ? { category: input.category } : {}),
    tags: ['saved-by-agent'],
  };
  const questions = questionsOf([entry]);
  const vectors = await embedder.embed(questions.map((q) => q.text), embedder.profile.indexAs);
  await store.insert(
    active.collection,
    knowledgeBase,
    questions.map((q, i) => ({
      pk: q.pk,
      entryId: entry.id,
      text: q.text,
      answer: entry.answer,
      meta: { question: entry.question, kind: 'faq', category: entry.category ?? null, tags: entry.tags, canonical: i === 0 },
      vector: vectors[i] ?? [],
    })),
  );
  return entry;
}
