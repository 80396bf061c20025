import type { AnalyticsFacts, AnalyticsFactsSource, AnalyticsOutcome, AnalyticsQuery } from '@answerbridge/core';
import { checkOut } from './analytics-events';
import type { Pool } from './pool';

/**
 * Every whitespace JavaScript's `\s` knows (the page and the decision log's own analysis normalize wordings with
 * it), as a PostgreSQL character class: ideographic and no-break spaces split no question.
 */
const WHITESPACE = '[\\s\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';

/**
 * One bot's decisions in the period, as the statistics count them: `ignore` (events that are not messages) left
 * out, each decision's outcome as outcomeKindOf in @answerbridge/knowledge names it. $1 bot, $2 from, $3 to.
 */
const PERIOD = `period AS (
  SELECT id, occurred_at, question, reason, decision, entry_id, message_id, conversation_id,
    CASE decision WHEN 'answer' THEN 'answered' WHEN 'suggest' THEN 'suggested' WHEN 'escalate' THEN 'escalated'
      ELSE 'other' END AS outcome
  FROM analytics_events
  WHERE bot_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND decision <> 'ignore'
)`;

/** The statistics of a period as SQL aggregations over analytics_events and analytics_feedback. */
export class PostgresAnalyticsFacts implements AnalyticsFactsSource {
  constructor(private readonly pool: Pool) {}

  async facts(q: AnalyticsQuery): Promise<AnalyticsFacts> {
    const period = [q.botId, new Date(q.from).toISOString(), new Date(q.to).toISOString()];
    const { client, release } = await checkOut(this.pool);
    let failed: unknown;
    try {
      // One snapshot for every figure: the copier may add rows between two of the queries.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const days = await client.query<{ day: string; outcome: AnalyticsOutcome; count: number }>(
        `WITH ${PERIOD}
         SELECT to_char((occurred_at AT TIME ZONE 'UTC') + make_interval(mins => $4::int), 'YYYY-MM-DD') AS day,
           outcome, count(*)::int AS count
         FROM period GROUP BY 1, 2 ORDER BY 1, 2`,
        [...period, q.utcOffsetMinutes],
      );
      const top = await client.query<{ question: string; count: number; answered: number }>(
        `WITH ${PERIOD}, asked AS (
           SELECT id, outcome, lower(regexp_replace(question, $4, '', 'g')) AS wording,
             regexp_replace(question, '^' || $4 || '+|' || $4 || '+$', '', 'g') AS question
           FROM period
           WHERE outcome <> 'other' AND NOT (COALESCE(reason, '') = ANY($5::text[]))
         )
         SELECT (array_agg(question ORDER BY id))[1] AS question, count(*)::int AS count,
           (count(*) FILTER (WHERE outcome = 'answered'))::int AS answered
         FROM asked WHERE wording <> ''
         GROUP BY wording ORDER BY count(*) DESC, min(id) LIMIT $6`,
        [...period, WHITESPACE, [...q.notQuestions], q.topLimit],
      );
      const hits = await client.query<{ entryId: string; hits: number }>(
        `WITH ${PERIOD}
         SELECT entry_id AS "entryId", count(*)::int AS hits FROM period
         WHERE decision = 'answer' AND entry_id IS NOT NULL
         GROUP BY entry_id ORDER BY count(*) DESC, min(id)`,
        period,
      );
      const escalated = await client.query<{ conversation_id: string }>(
        `WITH ${PERIOD}
         SELECT conversation_id FROM period WHERE outcome = 'escalated' GROUP BY conversation_id ORDER BY min(id)`,
        period,
      );
      // A verdict counts for the period of the message it is about; 取消 (cancelled) counts as none.
      const feedback = await client.query<{ accurate: number; inaccurate: number; answered: number }>(
        `WITH ${PERIOD}
         SELECT (count(*) FILTER (WHERE f.verdict = 'accurate'))::int AS accurate,
           (count(*) FILTER (WHERE f.verdict = 'inaccurate'))::int AS inaccurate,
           (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM period p
             WHERE p.message_id = f.message_id AND p.decision = 'answer')))::int AS answered
         FROM analytics_feedback f
         WHERE f.bot_id = $1 AND f.verdict <> 'cancelled'
           AND EXISTS (SELECT 1 FROM period p WHERE p.message_id = f.message_id)`,
        period,
      );
      await client.query('COMMIT');
      const f = feedback.rows[0];
      return {
        days: days.rows,
        topQuestions: top.rows,
        hits: hits.rows,
        escalatedConversations: escalated.rows.map((r) => r.conversation_id),
        feedback: {
          accurate: f?.accurate ?? 0,
          inaccurate: f?.inaccurate ?? 0,
          answeredWithFeedback: f?.answered ?? 0,
        },
      };
    } catch (error) {
      failed = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      release(failed);
    }
  }
}
