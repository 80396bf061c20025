import { RejectedInputError, type AnalyticsFactsSource } from '@answerbridge/core';
import { activeEntries, analyticsCsv, dayOf, periodAnalytics, type EscalationTiming } from '@answerbridge/knowledge';
import { Router, type Request } from 'express';
import type { ConsoleContext } from './console-context';
import { requireKnowledgeRole } from './knowledge-routes';
import { knowledgeMessages } from './knowledge-messages';

/** Days are counted in China's time (UTC+8, no daylight saving): the companies this console serves. */
const UTC_OFFSET_MINUTES = 480;
const DAY_MS = 86_400_000;
const MAX_PERIOD_DAYS = 92;

/** A period of whole days from the query (from/to as YYYY-MM-DD, both included); the last 7 days by default. */
function periodOf(query: Record<string, unknown>, nowMs: number): { from: number; to: number } {
  const day = (name: string, fallback: string) => {
    const value = query[name] ?? fallback;
    if (
      typeof value !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
      Number.isNaN(Date.parse(`${value}T00:00:00Z`))
    )
      throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badDay(name), 400);
    return Date.parse(`${value}T00:00:00Z`) - UTC_OFFSET_MINUTES * 60_000;
  };
  const today = dayOf(nowMs, UTC_OFFSET_MINUTES);
  const to = day('to', today) + DAY_MS;
  const from = day('from', dayOf(to - 7 * DAY_MS, UTC_OFFSET_MINUTES));
  if (from >= to || to - from > MAX_PERIOD_DAYS * DAY_MS)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badPeriod(MAX_PERIOD_DAYS), 400);
  return { from, to };
}

/**
 * 统计 (editors and admins): one bot's period from the system of record, the analytics events the console copies
 * from the decision log into PostgreSQL (the counts are the log's), with the feedback on answers; CSV with
 * ?format=csv. Escalation timings come from the escalation store, as the inbox keeps them.
 */
export function knowledgeAnalyticsRoutes(ctx: ConsoleContext, facts: AnalyticsFactsSource): Router {
  const router = Router();
  const editor = requireKnowledgeRole();
  const botOf = (req: Request) => {
    const botId = String(req.params['botId']);
    const knowledgeBase = ctx.knowledgeBaseFor(botId);
    if (!knowledgeBase) throw new RejectedInputError('CONSOLE.NOT_FOUND', knowledgeMessages.botNotFound(botId), 404);
    return { botId, knowledgeBase };
  };

  router.get('/api/knowledge/:botId/analytics', editor, async (req, res) => {
    const { botId, knowledgeBase } = botOf(req);
    const { from, to } = periodOf(req.query, Date.now());
    const entries = (await activeEntries(ctx.knowledge.store, knowledgeBase)).map((e) => ({
      id: e.id,
      question: e.question,
    }));
    const escalationsOf = async (conversationIds: readonly string[]) => {
      const timings: EscalationTiming[] = [];
      for (const conversationId of conversationIds) {
        const e = await ctx.escalation.get(conversationId);
        if (e && e.escalatedAt >= from && e.escalatedAt < to) timings.push(e);
      }
      return timings;
    };
    const analytics = await periodAnalytics({
      facts,
      botId,
      from,
      to,
      utcOffsetMinutes: UTC_OFFSET_MINUTES,
      entries,
      escalationsOf,
    });
    if (req.query['format'] === 'csv') {
      const name = `${botId}-${dayOf(from, UTC_OFFSET_MINUTES)}-${dayOf(to - DAY_MS, UTC_OFFSET_MINUTES)}.csv`;
      res
        .set('content-disposition', `attachment; filename="${name}"`)
        .type('text/csv; charset=utf-8')
        .send(analyticsCsv(analytics));
      return;
    }
    res.json({ botId, utcOffsetMinutes: UTC_OFFSET_MINUTES, ...analytics });
  });
  return router;
}
