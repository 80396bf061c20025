import { emptyMemory } from '@answerbridge/answering';
import { CachingEmbedder, RejectedInputError, type AnswerFeedbackReader, type DecisionLog } from '@answerbridge/core';
import { MAX_LEARNED_LENGTH, type FaqReview } from '@answerbridge/knowledge';
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

/** Editors and admins only (the knowledge pages' API); others get 403 in words. */
export function requireKnowledgeRole() {
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
  stores: {
    review: FaqReview;
    decisions: Pick<DecisionLog, 'recent'> & AnswerFeedbackReader;
    /** The knowledge base holding a bot's draft for hit testing (null: no draft); see knowledge-entries-routes.ts. */
    draftPreview?: (knowledgeBase: string) => Promise<string | null>;
  },
): Router {
  const router = Router();
  const editor = requireKnowledgeRole();
  const personPrototypes = personPrototypesFor(ctx.knowledge.embedder, ctx.knowledge.profile.name);
  const review = stores.review;
  const groupingEmbedder = new CachingEmbedder(ctx.knowledge.embedder, GROUPING_CACHE_ENTRIES, { passages: true });
  const me = (req: Request) => req.session?.username ?? '';
  /** How the bot decides, as the worker does (decide-question.ts), for a bot of this language. */
  const decideDeps = (language: ReturnType<ConsoleContext['languageFor']>): DecideQuestionDeps => ({
    languageOf: () => language,
    searcherFor: (l) => ctx.knowledge.searcherFor(l),
    policyFor: (l, calibrated) => ctx.knowledge.policyFor(l, calibrated),
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
          language: ctx.languageFor(b.id) ?? null,
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
    // against: 'draft' searches the bot's draft (indexed apart when asked for), as it would answer once published.
    const against = (req.body as Record<string, unknown> | undefined)?.['against'] ?? 'live';
    if (against !== 'live' && against !== 'draft')
      throw new RejectedInputError('CONSOLE.BAD_INPUT', knowledgeMessages.badAgainst, 400);
    const preview = against === 'draft' ? ((await stores.draftPreview?.(knowledgeBase)) ?? null) : null;
    const { decision, policy, candidates, outcome } = await decideQuestion(decideDeps(language), {
      botId,
      knowledgeBase: preview ?? knowledgeBase,
      question: { kind: 'text', text: question },
      memory: emptyMemory,
      limit: CANDIDATES_SHOWN,
    });
    const keywordScored = outcome === 'keyword-only' || outcome === 'keyword-fallback';
    const top = candidates[0];
    res.json({
      question,
      searched: preview ? 'draft' : 'live',
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
  return router;
}
