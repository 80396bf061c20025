import { RejectedInputError } from '@answerbridge/core';
import { EscalationNotFoundError } from '@answerbridge/escalation';
import {
  FaqDraftConflictError,
  FaqDraftNotFoundError,
  type FaqReview,
  LearnedEntryGoneError,
  MAX_LEARNED_LENGTH,
  type FaqDraft,
  questionLanguage,
} from '@answerbridge/knowledge';
import { Router, json, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { ConsoleContext } from './console-context';
import { askerMessages } from './asker-messages';
import { consoleMessages } from './console-messages';
import { requireSession } from './auth';
import { roleAtLeast } from './console-users';

/** How a refused caller is told, and logged, that the conversation is not theirs. */
interface Refusal {
  event: string;
  log: string;
  notHolder: (holder: string) => string;
  notHeld: (state: string) => string;
}
const saveRefusal: Refusal = {
  event: 'faq_save_refused',
  log: 'save as FAQ refused: not the holder',
  notHolder: consoleMessages.faqNotHolder,
  notHeld: consoleMessages.faqNotHeld,
};
const lookupRefusal: Refusal = {
  event: 'entry_candidates_refused',
  log: 'entry look-up refused: not the holder',
  notHolder: consoleMessages.candidatesNotHolder,
  notHeld: consoleMessages.candidatesNotHeld,
};

/** Entries the look-up returns, and how much of each answer it shows. */
const CANDIDATE_LIMIT = 5;
const EXCERPT_LENGTH = 80;
const excerptOf = (answer: string) => {
  const flat = answer.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
};

function text(req: Request, field: string, max: number, required = true): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[field];
  if (!required && (value === undefined || value === null || value === '')) return '';
  if (typeof value !== 'string' || !value.trim())
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${field} is required`, 400);
  if (value.length > max)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${field} is longer than ${max} characters`, 400);
  return value.trim();
}

/**
 * "Save as FAQ" and its review. Only the agent holding a conversation (or an admin) may save from it; an
 * agent's save is a draft the bot cannot see until an editor or admin approves it; theirs is approved by
 * them at once (an agent may not publish or approve). Every change of a draft is an audit line (event faq_draft_*).
 */
export function faqDraftRoutes(ctx: ConsoleContext, review: FaqReview): Router {
  const router = Router();
  const agent = requireSession();
  // Reviewing (and so publishing) knowledge: editors and admins.
  const reviewer = requireSession('editor');
  const mayPublish = (req: Request) => roleAtLeast(req.session?.role, 'editor');
  const me = (req: Request) => req.session?.username ?? '';
  const audit = (event: string, req: Request, draft: FaqDraft, extra: Record<string, unknown> = {}) =>
    ctx.logger.info(
      {
        event,
        draftId: draft.id,
        status: draft.status,
        knowledgeBase: draft.knowledgeBase,
        conversationId: draft.conversationId,
        savedBy: draft.savedBy,
        by: me(req),
        role: req.session?.role,
        ...extra,
      },
      `FAQ draft ${draft.status}`,
    );

  const approve = async (req: Request, id: string) => {
    try {
      const approved = await review.approve(id, me(req));
      audit('faq_draft_approved', req, approved.draft, { entryId: approved.entry.id });
      return approved;
    } catch (error) {
      if (!(error instanceof FaqDraftNotFoundError) && !(error instanceof FaqDraftConflictError)) {
        ctx.logger.error(
          { event: 'faq_draft_approve_failed', draftId: id, by: me(req), err: error },
          'approving an FAQ draft failed; it is pending again',
        );
      }
      throw error;
    }
  };

  /**
   * The conversation, when the caller holds it (or is an admin); otherwise the refusal is sent and null
   * returned. `refusal` words it for the action asked (saving by default).
   */
  const heldByCaller = async (req: Request, res: Response, refusal: Refusal = saveRefusal) => {
    const conversationId = String(req.params.id);
    const e = await ctx.escalation.get(conversationId);
    if (!e) throw new EscalationNotFoundError(conversationId);
    if (req.session?.role === 'admin' || (e.state === 'with-agent' && e.agentId === me(req))) return e;
    const heldByOther = e.state === 'with-agent';
    ctx.logger.warn(
      { event: refusal.event, conversationId, by: me(req), state: e.state, holder: e.agentId ?? null },
      refusal.log,
    );
    res
      .status(heldByOther ? 403 : 409)
      .json(
        heldByOther
          ? { error: 'CONSOLE.NOT_HOLDER', message: refusal.notHolder(e.agentId ?? '') }
          : { error: 'ESCALATION.CONFLICT', message: refusal.notHeld(e.state) },
      );
    return null;
  };
  const knowledgeBaseOf = (botId: string) => {
    const knowledgeBase = ctx.knowledgeBaseFor(botId);
    if (!knowledgeBase)
      throw new RejectedInputError('CONSOLE.NO_KNOWLEDGE_BASE', `bot ${botId} has no knowledge base`, 400);
    return knowledgeBase;
  };

  router.post('/api/conversations/:id/save-faq', agent, json({ limit: '64kb' }), async (req, res) => {
    const e = await heldByCaller(req, res);
    if (!e) return;
    const conversationId = e.conversationId;
    const publishes = mayPublish(req);
    const question = text(req, 'question', 500);
    const answer = text(req, 'answer', 8000);
    const knowledgeBase = knowledgeBaseOf(e.botId);
    const draft = await review.submit({
      knowledgeBase,
      botId: e.botId,
      conversationId,
      question,
      answer,
      savedBy: me(req),
    });
    audit('faq_draft_submitted', req, draft);
    if (!publishes)
      return void res.status(201).json({ status: 'draft', draft: draft, message: consoleMessages.faqDraftSubmitted });
    // An editor or admin is a reviewer: their own save goes live at once, recorded as saved and approved by them.
    const { draft: approved, entry } = await approve(req, draft.id);
    res.status(201).json({ status: 'live', draft: approved, entry, message: consoleMessages.faqSavedLive });
  });

  /**
   * The agent says which existing entry answers what the asker wrote: the asker's wording becomes one more
   * similar question of it (learning from use). Like a save, an agent's link waits for an admin; an
   * admin's is live at once.
   */
  router.post('/api/conversations/:id/link-entry', agent, json({ limit: '8kb' }), async (req, res) => {
    const e = await heldByCaller(req, res);
    if (!e) return;
    const question = text(req, 'question', MAX_LEARNED_LENGTH);
    const entryId = text(req, 'entryId', 256);
    const knowledgeBase = knowledgeBaseOf(e.botId);
    const active = await ctx.knowledge.store.activeCollection(knowledgeBase);
    const rows = active ? await ctx.knowledge.store.readEntry(active, knowledgeBase, entryId) : [];
    const canonical = rows.find((r) => r.meta['canonical'] === true) ?? rows[0];
    if (!canonical)
      return void res
        .status(404)
        .json({ error: 'LEARNING.NO_SUCH_ENTRY', message: consoleMessages.linkNoSuchEntry(entryId) });
    const proposed = await review.proposePhrasing({
      knowledgeBase,
      botId: e.botId,
      conversationId: e.conversationId,
      entryId,
      question,
      answer: canonical.answer,
      source: 'agent-link',
      savedBy: me(req),
    });
    if (proposed.outcome === 'already-live')
      return void res.json({ status: 'live', message: consoleMessages.linkAlreadyLive });
    if (!proposed.draft) throw new RejectedInputError('CONSOLE.BAD_INPUT', 'question cannot be learned', 400);
    audit('faq_draft_submitted', req, proposed.draft, { kind: 'phrasing', entryId });
    if (!mayPublish(req) || proposed.draft.status !== 'pending')
      return void res
        .status(proposed.outcome === 'proposed' ? 201 : 200)
        .json({ status: 'draft', draft: proposed.draft, message: consoleMessages.linkSubmitted });
    const { draft: approved, entry } = await approve(req, proposed.draft.id);
    res.status(201).json({ status: 'live', draft: approved, entry, message: consoleMessages.linkLive });
  });

  /**
   * An agent looking for the entry that answers what the asker wrote (before linking it): the top entries
   * of the bot's live knowledge base for `q`, searched as the bot searches (its language's mode). Without
   * `q`, the asker's last question. The asker's messages come along, with the one the dialog proposes to
   * learn (the handover's question, or the question before a 转人工).
   */
  router.get('/api/conversations/:id/entry-candidates', agent, async (req, res) => {
    const e = await heldByCaller(req, res, lookupRefusal);
    if (!e) return;
    const [history, turns] = await Promise.all([
      ctx.escalation.history(e.conversationId),
      ctx.turns.list(e.conversationId),
    ]);
    const found = askerMessages(e, history, turns);
    const bad = (message: string) => void res.status(400).json({ error: 'CONSOLE.BAD_INPUT', message });
    const raw = req.query['q'];
    let q: string;
    if (raw === undefined) {
      // The last question; when the asker only asked for a person, what they wrote.
      const fallback = found.lastQuestion ?? found.toLearn;
      if (!fallback) return bad(consoleMessages.candidatesNoQuestion);
      q = fallback.text.trim().slice(0, MAX_LEARNED_LENGTH);
    } else {
      if (typeof raw !== 'string' || !raw.trim()) return bad(consoleMessages.candidatesQueryRequired);
      q = raw.trim();
      if (q.length > MAX_LEARNED_LENGTH) return bad(consoleMessages.candidatesQueryTooLong(MAX_LEARNED_LENGTH));
    }
    const knowledgeBase = knowledgeBaseOf(e.botId);
    const searcher = ctx.knowledge.searcherFor(questionLanguage(q, ctx.languageFor(e.botId)));
    const { candidates, keywordOnly } = await searcher.searchOrDegrade(knowledgeBase, q, CANDIDATE_LIMIT);
    res.json({
      q,
      // BM25 scores (embedder down, or a keyword-only bot) are no percentage: the page says 关键词匹配.
      keywordOnly,
      entries: candidates.map((c) => ({
        entryId: c.entryId,
        question: c.question,
        excerpt: excerptOf(c.answer),
        score: c.confidence,
        percent: keywordOnly ? null : Math.round(Math.min(1, Math.max(0, c.confidence)) * 100),
      })),
      messages: found.messages,
      toLearn: found.toLearn?.id ?? null,
    });
  });

  /** The live entry a phrasing draft joins (its canonical question and answer), or null when it is gone. */
  const entryOf = async (draft: FaqDraft) => {
    if (draft.kind !== 'phrasing' || !draft.entryId) return null;
    try {
      const active = await ctx.knowledge.store.activeCollection(draft.knowledgeBase);
      const rows = active ? await ctx.knowledge.store.readEntry(active, draft.knowledgeBase, draft.entryId) : [];
      const canonical = rows.find((r) => r.meta['canonical'] === true) ?? rows[0];
      return canonical ? { entryId: draft.entryId, question: canonical.text, answer: canonical.answer } : null;
    } catch (error) {
      ctx.logger.warn({ event: 'faq_draft_entry_unreadable', draftId: draft.id, err: error }, 'entry not read');
      return null;
    }
  };

  router.get('/api/admin/faq-drafts', reviewer, async (_req, res) => {
    const drafts = await review.pending();
    // Beside the drafts (which stay as they are): the entry each phrasing joins, by draft id, for the reviewer.
    const entries = Object.fromEntries(
      await Promise.all(drafts.filter((d) => d.kind === 'phrasing').map(async (d) => [d.id, await entryOf(d)])),
    );
    res.json({ drafts, entries });
  });

  router.get('/api/admin/faq-drafts/:draftId', reviewer, async (req, res) => {
    const draft = await review.get(String(req.params.draftId));
    if (!draft) throw new FaqDraftNotFoundError(String(req.params.draftId));
    res.json(draft);
  });

  router.post('/api/admin/faq-drafts/:draftId/approve', reviewer, async (req, res) => {
    const { draft, entry } = await approve(req, String(req.params.draftId));
    res.json({ status: 'live', draft: draft, entry, message: consoleMessages.faqDraftApproved });
  });

  router.post('/api/admin/faq-drafts/:draftId/reject', reviewer, json({ limit: '8kb' }), async (req, res) => {
    const reason = text(req, 'reason', 500, false);
    const draft = await review.reject(String(req.params.draftId), me(req), reason || undefined);
    audit('faq_draft_rejected', req, draft, reason ? { reason } : {});
    res.json({ status: 'rejected', draft: draft, message: consoleMessages.faqDraftRejected });
  });

  const onDraftError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (error instanceof FaqDraftNotFoundError)
      return void res.status(404).json({ error: error.code, message: consoleMessages.faqDraftNotFound(error.message) });
    if (error instanceof LearnedEntryGoneError)
      return void res.status(409).json({ error: error.code, message: consoleMessages.linkEntryGone(error.entryId) });
    if (error instanceof FaqDraftConflictError)
      return void res
        .status(409)
        .json({ error: error.code, message: consoleMessages.faqDraftDecided(error.message), draft: error.draft });
    next(error);
  };
  router.use(onDraftError);
  return router;
}
