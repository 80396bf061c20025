import { isConversationOf, type FaqDraft, type FaqDraftStatus, type PersonRef } from '@answerbridge/core';
import { inTransaction, type Pool, type PoolClient } from './pool';
import type { LearningSource } from '@answerbridge/core';
import { insertLearnedPhrasing, type LearnedPhrasingRecord } from './learned-phrasings';

/** A draft of the review queue (libs/core's FaqDraft), so this store is a FaqDraftStore. */
export type FaqDraftRecord = FaqDraft;

interface Row {
  id: string;
  kind: 'entry' | 'phrasing';
  source: LearningSource | null;
  status: FaqDraftStatus;
  knowledge_base: string;
  bot_id: string;
  conversation_id: string;
  question: string;
  answer: string;
  entry_id: string | null;
  saved_by: string;
  saved_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  reject_reason: string | null;
}

const COLUMNS =
  'id, kind, source, status, knowledge_base, bot_id, conversation_id, question, answer, entry_id, saved_by, saved_at, decided_by, decided_at, reject_reason';

/** A draft as it was stored: absent fields stay absent (an entry draft has no kind, as FaqReview makes it). */
function draftOf(r: Row): FaqDraftRecord {
  return {
    id: r.id,
    ...(r.kind === 'phrasing' ? { kind: 'phrasing' as const } : {}),
    ...(r.source ? { source: r.source } : {}),
    status: r.status,
    knowledgeBase: r.knowledge_base,
    botId: r.bot_id,
    conversationId: r.conversation_id,
    question: r.question,
    answer: r.answer,
    savedBy: r.saved_by,
    savedAt: r.saved_at.getTime(),
    ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at !== null ? { decidedAt: r.decided_at.getTime() } : {}),
    ...(r.reject_reason !== null ? { rejectReason: r.reject_reason } : {}),
    ...(r.entry_id !== null ? { entryId: r.entry_id } : {}),
  };
}

/** The draft's fields as query parameters $2…$15 (after the id). */
const fieldsOf = (d: FaqDraftRecord) => [
  d.kind ?? 'entry',
  d.source ?? null,
  d.status,
  d.knowledgeBase,
  d.botId,
  d.conversationId,
  d.question,
  d.answer,
  d.entryId ?? null,
  d.savedBy,
  new Date(d.savedAt),
  d.decidedBy ?? null,
  d.decidedAt === undefined ? null : new Date(d.decidedAt),
  d.rejectReason ?? null,
];

const ensureKnowledgeBase = (db: Pool | PoolClient, name: string) =>
  db.query('INSERT INTO knowledge_bases (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);

/**
 * The review queue in PostgreSQL (faq_drafts). Every status change is one statement guarded by the statuses
 * it may come from, so two editors deciding at once cannot both win. A draft holds what an asker wrote: it
 * goes when its time is up (pending ones `pendingForMs` after they were saved, decided ones `keepForMs` after
 * the decision), as its Redis key expired; one past its time is not shown and applyRetention deletes it.
 */
export class PostgresFaqDrafts {
  constructor(
    private readonly pool: Pool,
    private readonly pendingForMs: number,
  ) {}

  /** Stores a new draft; false (and nothing changes) when one with its id is there and not yet gone. */
  async create(draft: FaqDraftRecord): Promise<boolean> {
    await ensureKnowledgeBase(this.pool, draft.knowledgeBase);
    const { rowCount } = await this.pool.query(
      `INSERT INTO faq_drafts AS d (id, kind, source, status, knowledge_base, bot_id, conversation_id, question, answer,
         entry_id, saved_by, saved_at, decided_by, decided_at, reject_reason, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now() + $16::double precision * interval '1 millisecond')
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, source = EXCLUDED.source, status = EXCLUDED.status,
         knowledge_base = EXCLUDED.knowledge_base, bot_id = EXCLUDED.bot_id, conversation_id = EXCLUDED.conversation_id,
         question = EXCLUDED.question, answer = EXCLUDED.answer, entry_id = EXCLUDED.entry_id,
         saved_by = EXCLUDED.saved_by, saved_at = EXCLUDED.saved_at, decided_by = EXCLUDED.decided_by,
         decided_at = EXCLUDED.decided_at, reject_reason = EXCLUDED.reject_reason, expires_at = EXCLUDED.expires_at
       WHERE d.expires_at <= now()`,
      [draft.id, ...fieldsOf(draft), this.pendingForMs],
    );
    return rowCount === 1;
  }

  /**
   * Moves in a draft kept elsewhere (Redis, before this store): added only when no draft has its id; it goes
   * `expiresInMs` from now (null: when a pending draft would).
   */
  async adopt(draft: FaqDraftRecord, expiresInMs: number | null): Promise<boolean> {
    await ensureKnowledgeBase(this.pool, draft.knowledgeBase);
    const { rowCount } = await this.pool.query(
      `INSERT INTO faq_drafts (id, kind, source, status, knowledge_base, bot_id, conversation_id, question, answer,
         entry_id, saved_by, saved_at, decided_by, decided_at, reject_reason, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now() + $16::double precision * interval '1 millisecond')
       ON CONFLICT (id) DO NOTHING`,
      [draft.id, ...fieldsOf(draft), expiresInMs ?? this.pendingForMs],
    );
    return rowCount === 1;
  }

  async get(id: string): Promise<FaqDraftRecord | null> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM faq_drafts WHERE id = $1 AND expires_at > now()`,
      [id],
    );
    return rows[0] ? draftOf(rows[0]) : null;
  }

  /** Drafts waiting for a decision, oldest first. */
  async pending(limit: number): Promise<FaqDraftRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM faq_drafts WHERE status = 'pending' AND expires_at > now()
       ORDER BY saved_at, id LIMIT $1`,
      [limit],
    );
    return rows.map(draftOf);
  }

  /**
   * When the draft's status is one of `from`, replaces it with `to` (a decided one is kept `keepForMs` from now;
   * without it, until it would have gone anyway) and records `savePhrasing` among the learned phrasings, in
   * one transaction. `saveEntry` needs nothing here: the approved entry is recorded by its publication
   * (FaqReview's repository), and the draft names it (entryId).
   */
  async transition(
    id: string,
    from: FaqDraftStatus[],
    to: FaqDraftRecord,
    options: {
      keepForMs?: number;
      saveEntry?: { knowledgeBase: string; entry: { id: string } };
      savePhrasing?: { knowledgeBase: string; phrasing: LearnedPhrasingRecord };
    } = {},
  ): Promise<{ changed: boolean; current: FaqDraftRecord | null }> {
    return inTransaction(this.pool, async (client) => {
      const keep = Math.max(0, Math.round(options.keepForMs ?? 0));
      const { rows } = await client.query<Row>(
        `UPDATE faq_drafts SET kind = $2, source = $3, status = $4, knowledge_base = $5, bot_id = $6,
           conversation_id = $7, question = $8, answer = $9, entry_id = $10, saved_by = $11, saved_at = $12,
           decided_by = $13, decided_at = $14, reject_reason = $15,
           expires_at = CASE WHEN $16::double precision > 0 THEN now() + $16::double precision * interval '1 millisecond' ELSE expires_at END
         WHERE id = $1 AND status = ANY($17::text[]) AND expires_at > now()
         RETURNING ${COLUMNS}`,
        [id, ...fieldsOf(to), keep, from],
      );
      const changed = rows[0];
      if (!changed) {
        const { rows: now } = await client.query<Row>(
          `SELECT ${COLUMNS} FROM faq_drafts WHERE id = $1 AND expires_at > now()`,
          [id],
        );
        return { changed: false, current: now[0] ? draftOf(now[0]) : null };
      }
      if (options.savePhrasing) {
        await ensureKnowledgeBase(client, options.savePhrasing.knowledgeBase);
        await insertLearnedPhrasing(client, options.savePhrasing.knowledgeBase, options.savePhrasing.phrasing, true);
      }
      return { changed: true, current: draftOf(changed) };
    });
  }

  /** Whether a phrasing with this id is live (approved, and kept by every ingest). */
  async hasLearnedPhrasing(knowledgeBase: string, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM learned_phrasings WHERE knowledge_base = $1 AND id = $2',
      [knowledgeBase, id],
    );
    return rowCount === 1;
  }

  /**
   * Deletes the drafts of this person's conversations (they hold the asker's words), whatever their status;
   * returns how many. What an approved one became (an entry, a phrasing) names no asker and stays.
   */
  async erase(person: PersonRef): Promise<number> {
    const prefix = `${person.channel}/${person.botId}/`;
    const { rows } = await this.pool.query<{ id: string; conversation_id: string }>(
      'SELECT id, conversation_id FROM faq_drafts WHERE starts_with(conversation_id, $1)',
      [prefix],
    );
    const ids = rows.filter((r) => isConversationOf(r.conversation_id, person)).map((r) => r.id);
    if (!ids.length) return 0;
    const { rowCount } = await this.pool.query('DELETE FROM faq_drafts WHERE id = ANY($1::text[])', [ids]);
    return rowCount ?? 0;
  }

  /** Deletes the drafts whose time is up; returns how many. */
  async applyRetention(): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM faq_drafts WHERE expires_at <= now()');
    return rowCount ?? 0;
  }
}
