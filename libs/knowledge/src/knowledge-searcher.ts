import { profileFingerprint, type Embedder } from '@answerbridge/embedding';
import type { MilvusVectorStore, SearchHit } from '@answerbridge/vector-store';

export interface Candidate {
  entryId: string;
  /** The indexed question that matched (canonical or similar). */
  matchedQuestion: string;
  /** The entry's canonical question. */
  question: string;
  answer: string;
  score: number;
}

/** Collapses hits to one per entry (its best-scoring question), best first. */
export function bestPerEntry(hits: SearchHit[]): Candidate[] {
  const byEntry = new Map<string, Candidate>();
  for (const h of hits) {
    const prev = byEntry.get(h.entryId);
    if (prev && prev.score >= h.score) continue;
    byEntry.set(h.entryId, {
      entryId: h.entryId,
      matchedQuestion: h.text,
      question: typeof h.meta.question === 'string' ? h.meta.question : h.text,
      answer: h.answer,
      score: h.score,
    });
  }
  return [...byEntry.values()].sort((a, b) => b.score - a.score);
}

/** Finds the FAQ entries closest to a question in one knowledge base. */
export class KnowledgeSearcher {
  private readonly fingerprint: string;

  constructor(
    private readonly store: MilvusVectorStore,
    private readonly embedder: Embedder,
  ) {
    this.fingerprint = profileFingerprint(embedder.profile);
  }

  async search(knowledgeBase: string, question: string, limit = 5): Promise<Candidate[]> {
    const [vector] = await this.embedder.embed([question], 'query');
    if (!vector) return [];
    // Several similar questions of one entry can fill the top hits; ask for more and collapse.
    const hits = await this.store.searchDense(knowledgeBase, this.fingerprint, vector, limit * 4);
    return bestPerEntry(hits).slice(0, limit);
  }
}
