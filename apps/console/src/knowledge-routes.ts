import { emptyMemory } from '@answerbridge/answering';
import { RejectedInputError } from '@answerbridge/core';
import { decideQuestion, personPrototypesFor } from '@answerbridge/pipeline';
import { Router, json, type NextFunction, type Request, type Response } from 'express';
import { requireSession } from './auth';
import type { ConsoleContext } from './console-context';
import { explainDecision, knowledgeMessages } from './knowledge-messages';

/** As long as a question in a chat can usefully be; longer input is refused before it is embedded. */
export const MAX_HIT_TEST_LENGTH = 500;
const CANDIDATES_SHOWN = 10;

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
export function knowledgeRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  const editor = requireKnowledgeRole();
  const personPrototypes = personPrototypesFor(ctx.knowledge.embedder, ctx.knowledge.profile.name);
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
    const { decision, policy, candidates, outcome } = await decideQuestion(
      {
        searcherFor: () => ctx.knowledge.searcherFor(language),
        policyFor: (_bot, calibrated) => ctx.knowledge.policyFor(language, calibrated),
        calibrationFor: (kb) => ctx.knowledge.calibrationFor(kb),
        personPrototypes,
        logger: ctx.logger,
      },
      {
        botId,
        knowledgeBase,
        question: { kind: 'text', text: question },
        memory: emptyMemory,
        limit: CANDIDATES_SHOWN,
      },
    );
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
  return router;
}
