import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { RejectedInputError, type PersonRef } from '@answerbridge/core';
import { PersonWithAgentError } from '@answerbridge/escalation';
import { channelRegistry } from '@answerbridge/pipeline';
import { Router, json, type Request } from 'express';
import type { ConsoleContext } from './console-context';
import { consoleMessages } from './console-messages';
import { requireSession } from './auth';

const CHANNELS = channelRegistry.map((c) => c.name);

/** The person named by an erasure request, exactly as the channel names them (no trimming: ids are exact). */
function personOf(req: Request): PersonRef {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const field = (name: string, max: number): string => {
    const value = body[name];
    if (typeof value !== 'string' || !value)
      throw new RejectedInputError('CONSOLE.BAD_INPUT', `${name} is required (a string)`, 400);
    if (value.length > max)
      throw new RejectedInputError('CONSOLE.BAD_INPUT', `${name} is longer than ${max} characters`, 400);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value))
      throw new RejectedInputError('CONSOLE.BAD_INPUT', `${name} holds control characters`, 400);
    return value;
  };
  const channel = field('channel', 32);
  if (!CHANNELS.includes(channel))
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `channel must be one of ${CHANNELS.join(', ')}`, 400);
  return { channel, botId: field('botId', 128), senderId: field('senderId', 256) };
}

/**
 * Operator tools for admins: queue depths, the dead-letter list, replaying a dead letter, erasing one
 * person's data, and bull-board.
 */
export function adminRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  const admin = requireSession('admin');
  router.get('/api/admin/queues', admin, async (_req, res) => {
    res.json(await ctx.queues.counts());
  });
  router.get('/api/admin/dead-letters', admin, async (_req, res) => {
    res.json(await ctx.queues.deadLetters(200));
  });
  router.post('/api/admin/dead-letters/:queue/:id/replay', admin, async (req, res) => {
    const ok = await ctx.queues.replay(String(req.params.queue), String(req.params.id));
    if (!ok) return void res.status(404).json({ error: 'CONSOLE.NO_DEAD_LETTER', message: 'no such failed job' });
    ctx.logger.info(
      { event: 'dead_letter_replayed', queue: req.params.queue, jobId: req.params.id, by: req.session?.username },
      'dead letter replayed',
    );
    res.json({ ok: true });
  });
  /**
   * Deletes everything kept of one person (PIPL): escalations with their histories in every conversation
   * of theirs, their decisions and the bot's memory of them. Refused (409) while an agent holds one of their
   * conversations. The audit line names who asked and whose data, with counts only.
   */
  router.post('/api/admin/personal-data/erase', admin, json({ limit: '4kb' }), async (req, res) => {
    const person = personOf(req);
    const by = req.session?.username;
    try {
      const deleted = await ctx.personalData.erase(person);
      ctx.logger.info({ event: 'personal_data_erased', by, person, deleted }, 'personal data erased on request');
      res.json({ person, deleted });
    } catch (error) {
      if (!(error instanceof PersonWithAgentError)) throw error;
      ctx.logger.warn(
        { event: 'personal_data_erase_refused', by, person, heldConversations: error.heldConversations },
        'personal data not erased: an agent holds a conversation',
      );
      res.status(409).json({
        error: error.code,
        message: consoleMessages.personWithAgent(error.heldConversations),
        heldConversations: error.heldConversations,
      });
    }
  });
  // bull-board, read-only: replays go through the API above, which checks the CSRF token.
  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: ctx.queues.all.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: board,
  });
  router.use('/admin/queues', admin, board.getRouter() as Router);
  return router;
}
