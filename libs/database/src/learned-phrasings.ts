import type { KnowledgeEntryRecord, LearnedPhrasing, LearningSource } from '@answerbridge/core';
import type { Pool, PoolClient } from './pool';

/** An approved phrasing (libs/core's LearnedPhrasing): it names no asker, none is kept. */
export type LearnedPhrasingRecord = LearnedPhrasing;

interface Row {
  id: string;
  entry_id: string;
  wording: string;
  source: LearningSource;
  saved_by: string;
  saved_at: Date;
  approved_by: string;
  approved_at: Date;
}

const phrasingOf = (r: Row): LearnedPhrasingRecord => ({
  id: r.id,
  entryId: r.entry_id,
  text: r.wording,
  source: r.source,
  savedBy: r.saved_by,
  savedAt: r.saved_at.getTime(),
  approvedBy: r.approved_by,
  approvedAt: r.approved_at.getTime(),
});

/**
 * Writes one learned phrasing (its knowledge base must be in knowledge_bases); `replace`: one with its id is
 * overwritten (an approval), otherwise left as it is (moving old data in). Returns whether a row was written.
 */
export async function insertLearnedPhrasing(
  db: Pool | PoolClient,
  knowledgeBase: string,
  p: LearnedPhrasingRecord,
  replace: boolean,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO learned_phrasings (id, knowledge_base, entry_id, wording, source, saved_by, saved_at, approved_by,
       approved_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (id) DO ${
       replace
         ? `UPDATE SET knowledge_base = EXCLUDED.knowledge_base, entry_id = EXCLUDED.entry_id,
             wording = EXCLUDED.wording, source = EXCLUDED.source, saved_by = EXCLUDED.saved_by,
             saved_at = EXCLUDED.saved_at, approved_by = EXCLUDED.approved_by, approved_at = EXCLUDED.approved_at`
         : 'NOTHING'
     }`,
    [
      p.id,
      knowledgeBase,
      p.entryId,
      p.text,
      p.source,
      p.savedBy,
      new Date(p.savedAt),
      p.approvedBy,
      new Date(p.approvedAt),
    ],
  );
  return rowCount === 1;
}

/**
 * Phrasings learned from use and approved, per knowledge base (learned_phrasings): every later ingest keeps
 * them for as long as their entry exists. They are written by the review queue (PostgresFaqDrafts.transition).
 */
export class PostgresLearnedPhrasings {
  constructor(private readonly pool: Pool) {}

  /** A knowledge base's phrasings, oldest first. */
  async list(knowledgeBase: string): Promise<LearnedPhrasingRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT id, entry_id, wording, source, saved_by, saved_at, approved_by, approved_at
       FROM learned_phrasings WHERE knowledge_base = $1 ORDER BY saved_at, id`,
      [knowledgeBase],
    );
    return rows.map(phrasingOf);
  }

  async has(knowledgeBase: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM learned_phrasings WHERE knowledge_base = $1 AND id = $2',
      [knowledgeBase, id],
    );
    return rowCount === 1;
  }

  /** Moves in a phrasing kept elsewhere (Redis, before): added only when none has its id. */
  async adopt(knowledgeBase: string, phrasing: LearnedPhrasingRecord): Promise<boolean> {
    await this.pool.query('INSERT INTO knowledge_bases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [
      knowledgeBase,
    ]);
    return insertLearnedPhrasing(this.pool, knowledgeBase, phrasing, false);
  }
}

/**
 * The recorded entries that agents saved from conversations and an editor approved (保存为 FAQ): those whose
 * provenance names who saved them. `kb ingest` keeps them (also with --replace, unless --without-saved).
 */
export class PostgresSavedEntries {
  constructor(private readonly pool: Pool) {}

  async list(knowledgeBase: string): Promise<KnowledgeEntryRecord[]> {
    const { rows } = await this.pool.query<{
      id: string;
      kind: 'faq' | 'doc';
      question: string;
      similar_questions: string[];
      answer: string;
      category: string | null;
      tags: string[];
      provenance: NonNullable<KnowledgeEntryRecord['provenance']>;
    }>(
      `SELECT id, kind, question, similar_questions, answer, category, tags, provenance FROM knowledge_entries
       WHERE knowledge_base = $1 AND provenance ? 'savedBy' ORDER BY position, id`,
      [knowledgeBase],
    );
    return rows.map((r) => ({
      id: r.id,
      ...(r.kind === 'doc' ? { kind: 'doc' as const } : {}),
      question: r.question,
      similar: r.similar_questions,
      answer: r.answer,
      ...(r.category ? { category: r.category } : {}),
      tags: r.tags,
      provenance: r.provenance,
    }));
  }
}
