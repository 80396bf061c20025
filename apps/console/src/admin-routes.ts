import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import type { ConsoleContext } from './console-context';
import { requireSession } from './auth';

/** Operator tools for admins: queue depths, the dead-letter list, replaying a dead letter, and bull-board. */
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
    ctx.logger.info({ event: 'dead_letter_replayed', queue: req.params.queue, jobId: req.params.id, by: req.session?.username }, 'dead letter replayed');
    res.json({ ok: true });
  });
  // bull-board, read-only: replays go through the API above, which checks the CSRF token.
  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: ctx.queues.all.map((q) => new BullMQAdapter(q, { readOnlyMode: true })), serverAdapter: board });
  router.use('/admin/queues', admin, board.getRouter() as Router);
  return router;
}
