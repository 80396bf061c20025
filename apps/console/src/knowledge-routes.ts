import { emptyMemory } from '@answerbridge/answering';
import { CachingEmbedder, RejectedInputError, type DecisionLog } from '@answerbridge/core';
import {
  MAX_LEARNED_LENGTH,
  activeEntries,
  analyticsCsv,
  analyzeDecisions,
  dayOf,
  type EscalationTiming,
  type FaqReview,
} from '@answerbridge/knowledge';
import { decideQuestion, personPrototypesFor, unansweredQueue, type DecideQuestionDeps } from '@answerbridge/pipeline';
import { Router, json, type NextFunction, type Request, type Response } from 'express';
import { requireSession } from './auth';
import type { ConsoleContext } from './console-context';
import { explainDecision, knowledgeMessages } from './knowledge-messages';

/** As long as a question in a chat can usefully be; longer input is refused before it is embedded. */
export const MAX_HIT_TEST_LENGTH = 500;
const CANDIDATES_SHOWN = 10;
/** How many of the bot's latest decisions the 未解决问题 queue reads (every bot's decisions share one log). */
const DECISIONS_READ = 5_000;
/** Wordings embedded for grouping, kept across page loads: a reload costs no embedding. */
const GROUPING_CACHE_ENTRIES = 20_000;
const MAX_ANSWER_LENGTH = 8_000;
const MAX_WORDINGS = 100;
/** Days are counted in China's time (UTC+8, no daylight saving): the companies this console serves. */
const UTC_OFFSET_MINUTES = 480;
const DAY_MS = 86_400_000;
const MAX_PERIOD_DAYS = 92;
/** Decisions read for one period: beyond this a period is cut short (the log keeps 100,000 by default). */
const ANALYTICS_DECISIONS_READ = 200_000;

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

function textField(body: unknown, field: string, max: number): string {
  const value = (body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || !value.trim())
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.fieldRequired(field), 400);
  if (value.length > max)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.fieldTooLong(field, max), 400);
  return value.trim();
}

function wordingsField(body: unknown): string[] {
  const value = (body as Record<string, unknown> | undefined)?.['wordings'];
  if (!Array.isArray(value) || value.length > MAX_WORDINGS || value.some((w) => typeof w !== 'string'))
    throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.wordingsInvalid(MAX_WORDINGS), 400);
  const wordings = [...new Set((value as string[]).map((w) => w.trim()).filter(Boolean))];
  if (wordings.some((w) => w.length > MAX_LEARNED_LENGTH))
    throw new RejectedInputError(
      'CONSOLE.BAD_INPUT',
      knowledgeMessages.fieldTooLong('wordings', MAX_LEARNED_LENGTH),
      400,
    );
  return wordings;
}

/** The roles that own knowledge: editors, and admins who may do everything. */
const ownsKnowledge = (role: string) => role === 'admin' || role === 'editor';

function requireKnowledgeRole() {
  const session = requireSession();
  return (req: Request, res: Response, next: NextFunction) =>
    session(req, res, () => {
      if (!ownsKnowledge(req.session!.role))
        return void res.status(403).json({ error: 'CONSOLE.FORBIDDEN', message: knowledgeMessages.editorsOnly });
      next();
    });
}

/**
 * The knowledge pages' API (知识库, for editors and admins): the bots and their live versions, and hit testing
 * (命中测试): a question decided exactly as the worker decides it (`decideQuestion`: the same search, person
 * recognition, calibration and policy), in a new conversation, without recording, learning or replying.
 */
export function knowledgeRoutes(
  ctx: ConsoleContext,
  stores: { review: FaqReview; decisions: Pick<DecisionLog, 'recent' | 'between'> },
): Router {
  const router = Router();
  const editor = requireKnowledgeRole();
  const personPrototypes = personPrototypesFor(ctx.knowledge.embedder, ctx.knowledge.profile.name);
  const review = stores.review;
  const groupingEmbedder = new CachingEmbedder(ctx.knowledge.embedder, GROUPING_CACHE_ENTRIES, { passages: true });
  const me = (req: Request) => req.session?.username ?? '';
  /** How the bot decides, as the worker does (decide-question.ts), for a bot of this language. */
  const decideDeps = (language: ReturnType<ConsoleContext['languageFor']>): DecideQuestionDeps => ({
    searcherFor: () => ctx.knowledge.searcherFor(language),
    policyFor: (_bot, calibrated) => ctx.knowledge.policyFor(language, calibrated),
    calibrationFor: (kb) => ctx.knowledge.calibrationFor(kb),
    personPrototypes,
    logger: ctx.logger,
  });
  const botOf = (req: Request) => {
    const botId = String(req.params['botId']);
    const knowledgeBase = ctx.knowledgeBaseFor(botId);
    if (!knowledgeBase) throw new RejectedInputError('CONSOLE.NOT_FOUND', knowledgeMessages.botNotFound(botId), 404);
    return { botId, knowledgeBase, language: ctx.languageFor(botId) };
  };

  router.get('/api/knowledge/bots', editor, async (_req, res) => {
    const bots = await Promise.all(
      ctx.config.bots.map(async (b) => {
        const knowledgeBase = ctx.knowledgeBaseFor(b.id) ?? b.id;
        const active = (await ctx.knowledge.store.listVersions(knowledgeBase)).find((v) => v.active);
        return {
          id: b.id,
          channel: b.channel,
          knowledgeBase,
          language: ctx.languageFor(b.id),
          activeVersion: active?.version ?? null,
        };
      }),
    );
    res.json({ bots });
  });

  router.post('/api/knowledge/:botId/hit-test', editor, json({ limit: '8kb' }), async (req, res) => {
    const { botId, knowledgeBase, language } = botOf(req);
    const raw = (req.body as Record<string, unknown> | undefined)?.['question'];
    if (typeof raw !== 'string' || !raw.trim())
      throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.questionRequired, 400);
    const question = raw.trim();
    if (question.length > MAX_HIT_TEST_LENGTH)
      throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.questionTooLong(MAX_HIT_TEST_LENGTH), 400);
    const { decision, policy, candidates, outcome } = await decideQuestion(decideDeps(language), {
      botId,
      knowledgeBase,
      question: { kind: 'text', text: question },
      memory: emptyMemory,
      limit: CANDIDATES_SHOWN,
    });
    const keywordScored = outcome === 'keyword-only' || outcome === 'keyword-fallback';
    const top = candidates[0];
    res.json({
      question,
      decision: {
        kind: decision.kind,
        reason: decision.reason,
        entryId: decision.entryId,
        reply: decision.reply,
        confidence: decision.confidence,
        inTop3: decision.assessment?.inTop3 ?? null,
        evidence: decision.assessment?.evidence ?? null,
        suggestions: decision.kind === 'suggest' ? decision.suggestions.map((s) => s.entryId) : [],
        explanation: explainDecision({
          reason: decision.reason,
          confidence: decision.confidence,
          inTop3: decision.assessment?.inTop3 ?? null,
          answerAt: policy.confidence.answerAt,
          suggestAt: policy.confidence.suggestAt,
          calibrated: policy.confidence.calibrated,
          keywordScored,
          keywordThreshold: policy.keywordFallbackThreshold,
          topQuestion: top?.question ?? null,
        }),
      },
      thresholds: {
        answer: policy.confidence.answerAt,
        suggest: policy.confidence.suggestAt,
        calibrated: policy.confidence.calibrated,
        keyword: policy.keywordFallbackThreshold,
      },
      search: outcome,
      candidates: candidates.map((c, i) => ({
        rank: i + 1,
        entryId: c.entryId,
        question: c.question,
        matchedQuestion: c.matchedQuestion,
        answer: c.answer,
        score: c.score,
        dense: c.dense,
        keyword: c.keyword,
        confidence: c.confidence,
      })),
    });
  });

  /** 未解决问题: what the FAQ lacks, grouped by meaning, with the nearest entry of each group. */
  router.get('/api/knowledge/:botId/unanswered', editor, async (req, res) => {
    const { botId, knowledgeBase, language } = botOf(req);
    const groups = await unansweredQueue(
      {
        decisions: stores.decisions,
        embedder: groupingEmbedder,
        store: ctx.knowledge.store,
        decideNow: (question) =>
          decideQuestion(decideDeps(language), {
            botId,
            knowledgeBase,
            question: { kind: 'text', text: question },
            memory: emptyMemory,
          }),
      },
      { botId, knowledgeBase, decisionsToRead: DECISIONS_READ },
    );
    res.json({ groups });
  });

  /** A group's wordings become similar questions of an existing entry: live at once (an editor's own change). */
  router.post('/api/knowledge/:botId/unanswered/add-to-entry', editor, json({ limit: '64kb' }), async (req, res) => {
    const { botId, knowledgeBase } = botOf(req);
    const entryId = textField(req.body, 'entryId', 256);
    const conversationId = textField(req.body, 'conversationId', 512);
    const wordings = wordingsField(req.body);
    const active = await ctx.knowledge.store.activeCollection(knowledgeBase);
    const rows = active ? await ctx.knowledge.store.readEntry(active, knowledgeBase, entryId) : [];
    const canonical = rows.find((r) => r.meta['canonical'] === true) ?? rows[0];
    if (!canonical) throw new RejectedInputError('CONSOLE.NOT_FOUND', knowledgeMessages.noSuchEntry(entryId), 404);
    let added = 0;
    for (const question of wordings) {
      const proposed = await review.proposePhrasing({
        knowledgeBase,
        botId,
        conversationId,
        entryId,
        question,
        answer: canonical.answer,
        source: 'unanswered-queue',
        savedBy: me(req),
      });
      if (proposed.draft?.status === 'pending') {
        await review.approve(proposed.draft.id, me(req));
        added += 1;
      }
    }
    ctx.logger.info(
      { event: 'unanswered_added_to_entry', botId, entryId, added, by: me(req) },
      'unanswered group added to an entry',
    );
    res.status(201).json({
      added,
      message: knowledgeMessages.addedToEntry(added, (canonical.meta['question'] as string) ?? entryId),
    });
  });

  /** A group becomes a new entry: the editor's question and answer, the group's other wordings as its similar questions. */
  router.post('/api/knowledge/:botId/unanswered/new-entry', editor, json({ limit: '64kb' }), async (req, res) => {
    const { botId, knowledgeBase } = botOf(req);
    const question = textField(req.body, 'question', MAX_LEARNED_LENGTH);
    const answer = textField(req.body, 'answer', MAX_ANSWER_LENGTH);
    const conversationId = textField(req.body, 'conversationId', 512);
    const wordings = wordingsField(req.body).filter((w) => w !== question);
    const draft = await review.submit({ knowledgeBase, botId, conversationId, question, answer, savedBy: me(req) });
    const { entry } = await review.approve(draft.id, me(req));
    for (const wording of wordings) {
      const proposed = await review.proposePhrasing({
        knowledgeBase,
        botId,
        conversationId,
        entryId: entry.id,
        question: wording,
        answer,
        source: 'unanswered-queue',
        savedBy: me(req),
      });
      if (proposed.draft?.status === 'pending') await review.approve(proposed.draft.id, me(req));
    }
    ctx.logger.info(
      { event: 'unanswered_new_entry', botId, entryId: entry.id, by: me(req) },
      'unanswered group became an entry',
    );
    res.status(201).json({ entryId: entry.id, message: knowledgeMessages.entryCreated(question) });
  });

  /** 统计: one bot's period, from its decisions (the counts are the decision log's); CSV with ?format=csv. */
  router.get('/api/knowledge/:botId/analytics', editor, async (req, res) => {
    const { botId, knowledgeBase } = botOf(req);
    const { from, to } = periodOf(req.query, Date.now());
    const decisions = (await stores.decisions.between(from, to, ANALYTICS_DECISIONS_READ)).filter(
      (d) => d.botId === botId,
    );
    const escalated = [...new Set(decisions.filter((d) => d.kind === 'escalate').map((d) => d.conversationId))];
    const escalations: EscalationTiming[] = [];
    for (const conversationId of escalated) {
      const e = await ctx.escalation.get(conversationId);
      if (e && e.escalatedAt >= from && e.escalatedAt < to) escalations.push(e);
    }
    const entries = (await activeEntries(ctx.knowledge.store, knowledgeBase)).map((e) => ({
      id: e.id,
      question: e.question,
    }));
    const analytics = analyzeDecisions({
      decisions,
      from,
      to,
      utcOffsetMinutes: UTC_OFFSET_MINUTES,
      entries,
      escalations,
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
