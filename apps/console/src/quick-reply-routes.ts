import { randomUUID } from 'node:crypto';
import { RejectedInputError } from '@answerbridge/core';
import type { QuickReply } from '@answerbridge/redis';
import { Router, json, type Request } from 'express';
import { requireSession } from './auth';
import type { ConsoleContext } from './console-context';
import { consoleMessages } from './console-messages';

/** Limits that keep the list usable in the reply box's menu (and Redis small). */
export const quickReplyLimits = { title: 40, text: 2000, count: 200 } as const;

function field(req: Request, name: 'title' | 'text'): string {
  const body = req.body as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new RejectedInputError('CONSOLE.BAD_INPUT', 'the body must be a JSON object {title, text}', 400);
  const value = (body as Record<string, unknown>)[name];
  if (typeof value !== 'string' || !value.trim())
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${name} is required (a non-empty string)`, 400);
  const max = quickReplyLimits[name];
  if (value.trim().length > max)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${name} is longer than ${max} characters`, 400);
  // A title is one line; a text may break lines. Other control characters are never meant.
  // eslint-disable-next-line no-control-regex
  if ((name === 'title' ? /[\u0000-\u001f\u007f]/ : /[\u0000-\u0008\u000b-\u001f\u007f]/).test(value))
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${name} holds control characters`, 400);
  return value.trim();
}

/**
 * Quick replies: every agent reads them (the reply box inserts one); admins add, change and delete them.
 * Changes are audit lines (event quick_reply_*), without the text.
 */
export function quickReplyRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  const agent = requireSession();
  const admin = requireSession('admin');
  const audit = (event: string, req: Request, id: string) =>
    ctx.logger.info({ event, quickReplyId: id, by: req.session?.username }, event.replace(/_/g, ' '));

  router.get('/api/quick-replies', agent, async (_req, res) => {
    res.json(await ctx.quickReplies.list());
  });

  router.post('/api/admin/quick-replies', admin, json({ limit: '16kb' }), async (req, res) => {
    const title = field(req, 'title');
    const text = field(req, 'text');
    if ((await ctx.quickReplies.count()) >= quickReplyLimits.count)
      return void res
        .status(409)
        .json({ error: 'CONSOLE.QUICK_REPLIES_FULL', message: consoleMessages.quickReplyFull(quickReplyLimits.count) });
    const reply: QuickReply = {
      id: randomUUID(),
      title,
      text,
      updatedBy: req.session?.username ?? '',
      updatedAt: Date.now(),
    };
    await ctx.quickReplies.save(reply);
    audit('quick_reply_created', req, reply.id);
    res.status(201).json(reply);
  });

  router.post('/api/admin/quick-replies/:id', admin, json({ limit: '16kb' }), async (req, res) => {
    const id = String(req.params.id);
    const title = field(req, 'title');
    const text = field(req, 'text');
    const existing = await ctx.quickReplies.get(id);
    if (!existing)
      return void res
        .status(404)
        .json({ error: 'CONSOLE.NO_QUICK_REPLY', message: consoleMessages.quickReplyNotFound(id) });
    const reply = { ...existing, title, text, updatedBy: req.session?.username ?? '', updatedAt: Date.now() };
    await ctx.quickReplies.save(reply);
    audit('quick_reply_updated', req, id);
    res.json(reply);
  });

  router.post('/api/admin/quick-replies/:id/delete', admin, async (req, res) => {
    const id = String(req.params.id);
    if (!(await ctx.quickReplies.remove(id)))
      return void res
        .status(404)
        .json({ error: 'CONSOLE.NO_QUICK_REPLY', message: consoleMessages.quickReplyNotFound(id) });
    audit('quick_reply_deleted', req, id);
    res.json({ ok: true });
  });

  return router;
}
