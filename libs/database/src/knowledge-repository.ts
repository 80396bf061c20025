import {
  KnowledgeChangedError,
  type KnowledgeEntryRecord,
  type KnowledgePublication,
  type KnowledgeRecord,
  type KnowledgeRepository,
  type KnowledgeVersionRecord,
  type PublicationMode,
} from '@answerbridge/core';
import { inTransaction, type Pool } from './pool';

interface EntryRow {
  id: string;
  kind: 'faq' | 'doc';
  question: string;
  similar_questions: string[];
  answer: string;
  category: string | null;
  tags: string[];
  provenance: KnowledgeEntryRecord['provenance'] | null;
}

interface VersionRow {
  id: string;
  knowledge_base: string;
  status: KnowledgeVersionRecord['status'];
  number: number | null;
  collection: string | null;
  source: string;
  mode: PublicationMode;
  published_by: string;
  created_at: Date;
  published_at: Date | null;
  entry_count: number;
  added: number;
  changed: number;
  removed: number;
  failure: string | null;
}

const entryOf = (r: EntryRow): KnowledgeEntryRecord => ({
  id: r.id,
  ...(r.kind === 'doc' ? { kind: 'doc' as const } : {}),
  question: r.question,
  similar: r.similar_questions,
  answer: r.answer,
  ...(r.category ? { category: r.category } : {}),
  tags: r.tags,
  ...(r.provenance ? { provenance: r.provenance } : {}),
});

const versionOf = (r: VersionRow): KnowledgeVersionRecord => ({
  id: Number(r.id),
  knowledgeBase: r.knowledge_base,
  status: r.status,
  number: r.number,
  collection: r.collection,
  source: r.source,
  mode: r.mode,
  publishedBy: r.published_by,
  createdAt: r.created_at.getTime(),
  publishedAt: r.published_at?.getTime() ?? null,
  entryCount: r.entry_count,
  added: r.added,
  changed: r.changed,
  removed: r.removed,
  failure: r.failure,
});

/** An entry as one JSON object for jsonb_to_recordset (one statement writes them all). */
const asJson = (e: KnowledgeEntryRecord, position: number) => ({
  id: e.id,
  kind: e.kind ?? 'faq',
  question: e.question,
  // "similar" is a reserved word in SQL: the column (and this field) is similar_questions.
  similar_questions: e.similar,
  answer: e.answer,
  category: e.category ?? null,
  tags: e.tags,
  provenance: e.provenance ?? null,
  position,
});

const VERSION_COLUMNS =
  'id, knowledge_base, status, number, collection, source, mode, published_by, created_at, published_at, entry_count, added, changed, removed, failure';

/** Knowledge entries and their publications in PostgreSQL (knowledge_entries, knowledge_versions, knowledge_entry_changes). */
export class PostgresKnowledgeRepository implements KnowledgeRepository {
  constructor(private readonly pool: Pool) {}

  async current(knowledgeBase: string): Promise<KnowledgeRecord | null> {
    const revision = await this.pool.query<{ id: string }>(
      'SELECT id FROM knowledge_versions WHERE knowledge_base = $1 ORDER BY id DESC LIMIT 1',
      [knowledgeBase],
    );
    const last = revision.rows[0];
    if (!last) return null;
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT id, kind, question, similar_questions, answer, category, tags, provenance
       FROM knowledge_entries WHERE knowledge_base = $1 ORDER BY position, id`,
      [knowledgeBase],
    );
    return { entries: rows.map(entryOf), revision: Number(last.id) };
  }

  async publish(p: KnowledgePublication): Promise<KnowledgeVersionRecord> {
    return inTransaction(this.pool, async (client) => {
      // One publisher at a time per knowledge base: the row lock is held until commit.
      await client.query('INSERT INTO knowledge_bases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [
        p.knowledgeBase,
      ]);
      await client.query('SELECT name FROM knowledge_bases WHERE name = $1 FOR UPDATE', [p.knowledgeBase]);
      const last = await client.query<{ id: string }>(
        'SELECT id FROM knowledge_versions WHERE knowledge_base = $1 ORDER BY id DESC LIMIT 1',
        [p.knowledgeBase],
      );
      const found = last.rows[0] ? Number(last.rows[0].id) : null;
      if (found !== p.basedOn) throw new KnowledgeChangedError(p.knowledgeBase, p.basedOn, found);

      const { rows } = await client.query<VersionRow>(
        `INSERT INTO knowledge_versions (knowledge_base, source, mode, published_by, entry_count, added, changed, removed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${VERSION_COLUMNS}`,
        [p.knowledgeBase, p.source, p.mode, p.by, p.entries.length, p.added.length, p.changed.length, p.removed.length],
      );
      const version = rows[0]!;
      // Every entry as it will be: new ones inserted, changed ones updated (updated_at/by only when something
      // differs), and whatever the publication no longer has deleted.
      await client.query(
        `INSERT INTO knowledge_entries AS k (knowledge_base, id, kind, question, similar_questions, answer, category,
           tags, provenance, position, created_by, updated_by)
         SELECT $1, e.id, e.kind, e.question, ARRAY(SELECT jsonb_array_elements_text(e.similar_questions)), e.answer,
           e.category, ARRAY(SELECT jsonb_array_elements_text(e.tags)), e.provenance, e.position, $3, $3
         FROM jsonb_to_recordset($2::jsonb) AS e(id text, kind text, question text, similar_questions jsonb, answer text,
           category text, tags jsonb, provenance jsonb, position integer)
         ON CONFLICT (knowledge_base, id) DO UPDATE SET
           kind = EXCLUDED.kind, question = EXCLUDED.question, similar_questions = EXCLUDED.similar_questions,
           answer = EXCLUDED.answer, category = EXCLUDED.category, tags = EXCLUDED.tags,
           provenance = EXCLUDED.provenance, position = EXCLUDED.position,
           updated_at = CASE WHEN (k.kind, k.question, k.similar_questions, k.answer, k.category, k.tags, k.provenance)
             IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.question, EXCLUDED.similar_questions, EXCLUDED.answer,
               EXCLUDED.category, EXCLUDED.tags, EXCLUDED.provenance) THEN now() ELSE k.updated_at END,
           updated_by = CASE WHEN (k.kind, k.question, k.similar_questions, k.answer, k.category, k.tags, k.provenance)
             IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.question, EXCLUDED.similar_questions, EXCLUDED.answer,
               EXCLUDED.category, EXCLUDED.tags, EXCLUDED.provenance) THEN EXCLUDED.updated_by ELSE k.updated_by END`,
        [p.knowledgeBase, JSON.stringify(p.entries.map(asJson)), p.by],
      );
      await client.query('DELETE FROM knowledge_entries WHERE knowledge_base = $1 AND NOT (id = ANY($2::text[]))', [
        p.knowledgeBase,
        p.entries.map((e) => e.id),
      ]);
      const changes = [
        ...p.added.map((e) => ({ entry_id: e.id, change: 'added', before: null, after: e })),
        ...p.changed.map((c) => ({ entry_id: c.after.id, change: 'changed', before: c.before, after: c.after })),
        ...p.removed.map((e) => ({ entry_id: e.id, change: 'removed', before: e, after: null })),
      ];
      if (changes.length)
        await client.query(
          `INSERT INTO knowledge_entry_changes (version_id, knowledge_base, entry_id, change, before, after, changed_by)
           SELECT $1, $2, c.entry_id, c.change, c.before, c.after, $4
           FROM jsonb_to_recordset($3::jsonb) AS c(entry_id text, change text, before jsonb, after jsonb)`,
          [version.id, p.knowledgeBase, JSON.stringify(changes), p.by],
        );
      return versionOf(version);
    });
  }

  async markBuilt(versionId: number, index: { number: number; collection: string }): Promise<void> {
    await this.pool.query(
      `UPDATE knowledge_versions SET status = 'published', number = $2, collection = $3, published_at = now()
       WHERE id = $1`,
      [versionId, index.number, index.collection],
    );
  }

  async markFailed(versionId: number, reason: string): Promise<void> {
    await this.pool.query(`UPDATE knowledge_versions SET status = 'failed', failure = $2 WHERE id = $1`, [
      versionId,
      reason.slice(0, 2000),
    ]);
  }

  async versions(knowledgeBase: string, limit = 50): Promise<KnowledgeVersionRecord[]> {
    const { rows } = await this.pool.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM knowledge_versions WHERE knowledge_base = $1 ORDER BY id DESC LIMIT $2`,
      [knowledgeBase, limit],
    );
    return rows.map(versionOf);
  }
}
