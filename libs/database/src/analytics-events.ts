import type {
  AnalyticsCopyStep,
  AnalyticsEventStore,
  AnswerFeedbackRecord,
  DecisionLogEntry,
  DecisionRecord,
  LogCursor,
  PersonRef,
} from '@answerbridge/core';
import type { Pool, PoolClient } from './pool';
import { DatabaseUnavailableError } from './errors';

/** The first key of the copier's advisory lock (the second is the log's name hashed): analytics copy. */
export const ANALYTICS_COPY_LOCK_CLASS = 4_242_014;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A connection for one transaction. While checked out, a connection that dies (a server restart, a terminated
 * session) makes the next query fail: without a listener its 'error' event would end the process instead.
 */
export async function checkOut(pool: Pool): Promise<{ client: PoolClient; release: (failed?: unknown) => void }> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  return {
    client,
    release: (failed) => {
      client.off('error', ignore);
      // A connection that failed is not handed out again.
      client.release(
        failed ? (failed instanceof Error ? failed : new DatabaseUnavailableError(String(failed))) : undefined,
      );
    },
  };
}

/** `%` and `_` in a LIKE pattern taken literally. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The conversations of one person as SQL over `conversation_id` (isConversationOf in @answerbridge/core): their
 * direct chat `<channel>/<bot>/<person>` or their own in a group `<channel>/<bot>/<group>/<person>`.
 */
function personMatch(person: PersonRef, first: number): { sql: string; params: string[] } {
  const bot = `${person.channel}/${person.botId}/`;
  return {
    sql: `(conversation_id = $${first} OR conversation_id LIKE $${first + 1})`,
    params: [`${bot}${person.senderId}`, `${likeLiteral(bot)}_%/${likeLiteral(person.senderId)}`],
  };
}

/**
 * The analytics facts in PostgreSQL: the copier's transaction (advisory lock, cursor, rows), erasure and
 * retention. `log` names the decision log copied (the key prefix): its cursor and its lock are its own.
 */
export class PostgresAnalyticsEvents implements AnalyticsEventStore {
  constructor(
    private readonly pool: Pool,
    private readonly log: string,
    /** The knowledge base each bot answers from, kept with its events. */
    private readonly knowledgeBaseFor: (botId: string) => string | undefined = () => undefined,
  ) {}

  async copy<T>(step: (copy: AnalyticsCopyStep) => Promise<T>): Promise<{ held: true; result: T } | { held: false }> {
    const { client, release } = await checkOut(this.pool);
    let failed: unknown;
    try {
      await client.query('BEGIN');
      // Held until COMMIT or ROLLBACK: one copier at a time across console replicas; the others skip a round.
      const lock = await client.query<{ held: boolean }>('SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS held', [
        ANALYTICS_COPY_LOCK_CLASS,
        this.log,
      ]);
      if (!lock.rows[0]?.held) {
        await client.query('ROLLBACK');
        return { held: false };
      }
      const cursor = await this.readCursor(client);
      const result = await step({
        cursor,
        save: (entries, to, options) => this.save(client, entries, to, options?.lost ?? 0),
      });
      await client.query('COMMIT');
      return { held: true, result };
    } catch (error) {
      failed = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      release(failed);
    }
  }

  async cursor(): Promise<LogCursor | null> {
    return this.readCursor(this.pool);
  }

  private async readCursor(db: Pool | PoolClient): Promise<LogCursor | null> {
    const { rows } = await db.query<{ last_id: string; added: string | null }>(
      'SELECT last_id, added FROM analytics_cursor WHERE log = $1',
      [this.log],
    );
    const row = rows[0];
    return row ? { id: row.last_id, added: row.added === null ? null : Number(row.added) } : null;
  }

  private async save(
    client: PoolClient,
    entries: readonly DecisionLogEntry[],
    to: LogCursor,
    lost: number,
  ): Promise<void> {
    const decisions = entries.flatMap((e) => (e.decision ? [{ id: e.id, d: e.decision }] : []));
    const feedback = entries.flatMap((e) => (e.feedback ? [{ id: e.id, f: e.feedback }] : []));
    if (decisions.length) await this.insertDecisions(client, decisions);
    // After the decisions: feedback in the same batch as its decision takes the decision's conversation.
    for (const { id, f } of feedback) await this.upsertFeedback(client, id, f);
    await client.query(
      `INSERT INTO analytics_cursor (log, last_id, added, lost) VALUES ($1, $2, $3, $4)
       ON CONFLICT (log) DO UPDATE SET last_id = excluded.last_id, added = excluded.added, updated_at = now(),
         lost = analytics_cursor.lost + excluded.lost`,
      [this.log, to.id, to.added, lost],
    );
  }

  /** One INSERT per batch, the rows as JSON (jsonb_to_recordset): no parameter limit, one round trip. */
  private async insertDecisions(client: PoolClient, rows: { id: string; d: DecisionRecord }[]): Promise<void> {
    const json = rows.map(({ id, d }) => ({
      log_id: id,
      occurred_at: iso(d.at),
      bot_id: d.botId,
      channel: d.channel,
      conversation_id: d.conversationId,
      message_id: d.messageId || null,
      question: d.question ?? '',
      decision: d.kind,
      reason: d.reason ?? null,
      knowledge_base: this.knowledgeBaseFor(d.botId) ?? null,
      entry_id: d.entryId ?? null,
      confidence: typeof d.confidence === 'number' && Number.isFinite(d.confidence) ? d.confidence : null,
      details: {
        thresholds: d.thresholds,
        ...(d.evidence ? { evidence: d.evidence } : {}),
        ...(d.inTop3 !== undefined ? { inTop3: d.inTop3 } : {}),
        scores: d.scores ?? [],
      },
    }));
    await client.query(
      `INSERT INTO analytics_events (log_id, occurred_at, bot_id, channel, conversation_id, message_id, question,
         decision, reason, knowledge_base, entry_id, confidence, details)
       SELECT log_id, occurred_at, bot_id, channel, conversation_id, message_id, question, decision, reason,
         knowledge_base, entry_id, confidence, details
       FROM jsonb_to_recordset($1::jsonb) AS r(log_id text, occurred_at timestamptz, bot_id text, channel text,
         conversation_id text, message_id text, question text, decision text, reason text, knowledge_base text,
         entry_id text, confidence double precision, details jsonb)
       ON CONFLICT (log_id) DO NOTHING`,
      [JSON.stringify(json)],
    );
  }

  private async upsertFeedback(client: PoolClient, logId: string, f: AnswerFeedbackRecord): Promise<void> {
    await client.query(
      `INSERT INTO analytics_feedback (bot_id, message_id, channel, conversation_id, verdict, content, reasons,
         occurred_at, log_id)
       VALUES ($1, $2, $3, COALESCE((SELECT conversation_id FROM analytics_events
         WHERE bot_id = $1 AND message_id = $2 ORDER BY id LIMIT 1), $4), $5, $6, $7, $8, $9)
       ON CONFLICT (bot_id, message_id) DO UPDATE SET verdict = excluded.verdict, content = excluded.content,
         reasons = excluded.reasons, occurred_at = excluded.occurred_at, log_id = excluded.log_id
       WHERE analytics_feedback.occurred_at <= excluded.occurred_at`,
      [
        f.botId,
        f.messageId,
        f.channel,
        f.conversationId,
        f.verdict,
        f.content ?? null,
        (f.reasons ?? []).filter((r) => Number.isInteger(r)),
        iso(f.at),
        logId,
      ],
    );
  }

  async expire(beforeMs: number): Promise<number> {
    const before = iso(beforeMs);
    const events = await this.pool.query('DELETE FROM analytics_events WHERE occurred_at < $1', [before]);
    const feedback = await this.pool.query('DELETE FROM analytics_feedback WHERE occurred_at < $1', [before]);
    return (events.rowCount ?? 0) + (feedback.rowCount ?? 0);
  }

  async erase(person: PersonRef): Promise<number> {
    const match = personMatch(person, 3);
    const { client, release } = await checkOut(this.pool);
    let failed: unknown;
    try {
      await client.query('BEGIN');
      // Waits for a copy in progress: it may hold rows read from the log before the log was erased.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ANALYTICS_COPY_LOCK_CLASS, this.log]);
      const params = [person.channel, person.botId, ...match.params];
      // Feedback first: what the person's decisions received, and what they gave (matched by conversation).
      const feedback = await client.query(
        `DELETE FROM analytics_feedback f WHERE f.channel = $1 AND f.bot_id = $2 AND (${match.sql.replaceAll('conversation_id', 'f.conversation_id')}
           OR f.message_id IN (SELECT message_id FROM analytics_events
             WHERE channel = $1 AND bot_id = $2 AND message_id IS NOT NULL AND ${match.sql}))`,
        params,
      );
      const events = await client.query(
        `DELETE FROM analytics_events WHERE channel = $1 AND bot_id = $2 AND ${match.sql}`,
        params,
      );
      await client.query('COMMIT');
      return (events.rowCount ?? 0) + (feedback.rowCount ?? 0);
    } catch (error) {
      failed = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      release(failed);
    }
  }
}
