import { Router } from 'express';
import type { ConsoleContext } from './console-context';
import { requireSession } from './auth';

/** Operator tools for admins: queue depths, the dead-letter list and replaying a dead letter. */
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
  return router;
}
