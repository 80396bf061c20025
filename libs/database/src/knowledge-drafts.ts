import type {
  KnowledgeChangeLog,
  KnowledgeDraftRecord,
  KnowledgeDraftStore,
  KnowledgeEntryChangeRecord,
  KnowledgeEntryRecord,
} from '@answerbridge/core';
import type { Pool } from './pool';

interface DraftRow {
  knowledge_base: string;
  based_on: string | null;
  entries: KnowledgeEntryRecord[];
  edits: number;
  created_by: string;
  created_at: Date;
  updated_by: string;
  updated_at: Date;
}

interface ChangeRow {
  version_id: string;
  entry_id: string;
  change: KnowledgeEntryChangeRecord['change'];
  before: KnowledgeEntryRecord | null;
  after: KnowledgeEntryRecord | null;
  changed_by: string;
  changed_at: Date;
}

/** The working drafts of knowledge bases in PostgreSQL (knowledge_drafts), one per knowledge base. */
export class PostgresKnowledgeDrafts implements KnowledgeDraftStore {
  constructor(private readonly pool: Pool) {}

  async get(knowledgeBase: string): Promise<KnowledgeDraftRecord | null> {
    const { rows } = await this.pool.query<DraftRow>(
      `SELECT knowledge_base, based_on, entries, edits, created_by, created_at, updated_by, updated_at
       FROM knowledge_drafts WHERE knowledge_base = $1`,
      [knowledgeBase],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      knowledgeBase: r.knowledge_base,
      basedOn: r.based_on === null ? null : Number(r.based_on),
      entries: r.entries,
      edits: r.edits,
      createdBy: r.created_by,
      createdAt: r.created_at.getTime(),
      updatedBy: r.updated_by,
      updatedAt: r.updated_at.getTime(),
    };
  }

  async save(d: KnowledgeDraftRecord, expectedEdits: number | null): Promise<boolean> {
    const entries = JSON.stringify(d.entries);
    if (expectedEdits === null) {
      // A knowledge base the index had before the system of record existed has no row yet: the draft adds it.
      await this.pool.query('INSERT INTO knowledge_bases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [
        d.knowledgeBase,
      ]);
      const { rowCount } = await this.pool.query(
        `INSERT INTO knowledge_drafts (knowledge_base, based_on, entries, edits, created_by, created_at, updated_by, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, to_timestamp($6 / 1000.0), $7, to_timestamp($8 / 1000.0))
         ON CONFLICT (knowledge_base) DO NOTHING`,
        [d.knowledgeBase, d.basedOn, entries, d.edits, d.createdBy, d.createdAt, d.updatedBy, d.updatedAt],
      );
      return rowCount === 1;
    }
    // One statement: the row is updated only when nobody saved since it was read.
    const { rowCount } = await this.pool.query(
      `UPDATE knowledge_drafts SET based_on = $2, entries = $3::jsonb, edits = $4, updated_by = $5,
         updated_at = to_timestamp($6 / 1000.0)
       WHERE knowledge_base = $1 AND edits = $7`,
      [d.knowledgeBase, d.basedOn, entries, d.edits, d.updatedBy, d.updatedAt, expectedEdits],
    );
    return rowCount === 1;
  }

  async discard(knowledgeBase: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('DELETE FROM knowledge_drafts WHERE knowledge_base = $1', [
      knowledgeBase,
    ]);
    return (rowCount ?? 0) > 0;
  }
}

/** What each publication did to each entry, read back from knowledge_entry_changes. */
export class PostgresKnowledgeChangeLog implements KnowledgeChangeLog {
  constructor(private readonly pool: Pool) {}

  async changesOf(knowledgeBase: string, versionId: number): Promise<KnowledgeEntryChangeRecord[]> {
    const { rows } = await this.pool.query<ChangeRow>(
      `SELECT version_id, entry_id, change, before, after, changed_by, changed_at
       FROM knowledge_entry_changes WHERE knowledge_base = $1 AND version_id = $2 ORDER BY id`,
      [knowledgeBase, versionId],
    );
    return rows.map(changeOfRow);
  }

  async changesSince(knowledgeBase: string, revision: number | null): Promise<KnowledgeEntryChangeRecord[]> {
    const { rows } = await this.pool.query<ChangeRow>(
      `SELECT version_id, entry_id, change, before, after, changed_by, changed_at
       FROM knowledge_entry_changes WHERE knowledge_base = $1 AND version_id > $2 ORDER BY id`,
      [knowledgeBase, revision ?? 0],
    );
    return rows.map(changeOfRow);
  }
}

function changeOfRow(r: ChangeRow): KnowledgeEntryChangeRecord {
  return {
    versionId: Number(r.version_id),
    entryId: r.entry_id,
    change: r.change,
    before: r.before,
    after: r.after,
    changedBy: r.changed_by,
    changedAt: r.changed_at.getTime(),
  };
}
