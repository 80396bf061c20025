import { RejectedInputError, type ConversationEntry, type Escalation, type InboxEvent } from '@answerbridge/core';
import type { RecentTurn } from '@answerbridge/redis';
import { EscalationNotFoundError } from '@answerbridge/escalation';
import { Router, json, type Request, type Response } from 'express';
import type { ConsoleContext } from './console-context';
import { requireSession } from './auth';
import { consoleMessages } from './console-messages';

/**
 * 'group' with the group's id for a group chat, 'direct' otherwise, read from the conversation id whatever the
 * channel: `<channel>/<bot>/<person>` for a direct chat, `<channel>/<bot>/<group>/<person>` for one person's
 * conversation in a group (the convention of libs/core's isConversationOf).
 */
function chatOf(conversationId: string): { chatType: 'direct' | 'group'; group: string | null } {
  const parts = conversationId.split('/');
  return parts.length >= 4
    ? { chatType: 'group', group: parts.slice(2, -1).join('/') }
    : { chatType: 'direct', group: null };
}

const view = (e: Escalation, now: number) => ({
  conversationId: e.conversationId,
  channel: e.channel,
  botId: e.botId,
  asker: e.senderId,
  ...chatOf(e.conversationId),
  question: e.question,
  reason: e.reason,
  state: e.state,
  agentId: e.agentId,
  escalatedAt: e.escalatedAt,
  claimedAt: e.claimedAt,
  resolvedAt: e.resolvedAt,
  waitingSeconds: Math.round(((e.claimedAt ?? now) - e.escalatedAt) / 1000),
  candidates: e.candidates,
});

/**
 * What came before the handover: the conversation's recent turns with the bot that its escalation history
 * does not hold already (the triggering message is in both, under the same message id), oldest first.
 */
function earlierTurns(turns: RecentTurn[], history: ConversationEntry[], escalatedAt: number): RecentTurn[] {
  const inHistory = new Set(history.map((h) => h.id));
  const seen = new Set<string>();
  return turns.filter((t) => {
    if (t.at > escalatedAt || inHistory.has(t.messageId) || seen.has(t.id)) return false;
    seen.add(t.id);
    return true;
  });
}

function text(req: Request, field: string, max: number): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[field];
  if (typeof value !== 'string' || !value.trim())
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${field} is required`, 400);
  if (value.length > max)
    throw new RejectedInputError('CONSOLE.BAD_INPUT', `${field} is longer than ${max} characters`, 400);
  return value.trim();
}

/** The inbox API: the console page and other tools (see /api/openapi.json) use the same routes. */
export function conversationRoutes(
  ctx: ConsoleContext,
  subscribe: (listener: (e: InboxEvent) => void) => () => void,
): Router {
  const router = Router();
  const agent = requireSession();
  const id = (req: Request) => String(req.params.id);
  const me = (req: Request) => req.session?.username ?? '';
  const isAdmin = (req: Request) => req.session?.role === 'admin';

  router.get('/api/conversations', agent, async (_req, res) => {
    const { waiting, withAgent } = await ctx.escalation.queue();
    const now = Date.now();
    res.json({ waiting: waiting.map((e) => view(e, now)), withAgent: withAgent.map((e) => view(e, now)) });
  });

  router.get('/api/conversations/:id', agent, async (req, res) => {
    const e = await ctx.escalation.get(id(req));
    if (!e) throw new EscalationNotFoundError(id(req));
    const [history, turns] = await Promise.all([
      ctx.escalation.history(e.conversationId),
      ctx.turns.list(e.conversationId),
    ]);
    res.json({ ...view(e, Date.now()), history, earlier: earlierTurns(turns, history, e.escalatedAt) });
  });

  router.post('/api/conversations/:id/claim', agent, async (req, res) => {
    const e = await ctx.escalation.claim(id(req), me(req));
    res.json(view(e, Date.now()));
  });

  router.post('/api/conversations/:id/reply', agent, json({ limit: '64kb' }), async (req, res) => {
    const entry = await ctx.escalation.reply(id(req), me(req), text(req, 'text', 2000));
    res.status(202).json(entry);
  });

  router.post('/api/conversations/:id/resolve', agent, async (req, res) => {
    await ctx.escalation.close(id(req), me(req), 'resolved', isAdmin(req));
    res.json({ ok: true });
  });

  router.post('/api/conversations/:id/handback', agent, async (req, res) => {
    await ctx.escalation.close(id(req), me(req), 'handback', isAdmin(req));
    res.json({ ok: true });
  });

  router.post('/api/conversations/:id/transfer', agent, json(), async (req, res) => {
    const to = text(req, 'to', 64);
    if (!ctx.users.some((u) => u.username === to))
      throw new RejectedInputError('CONSOLE.BAD_INPUT', `no agent ${to}`, 400);
    await ctx.escalation.transfer(id(req), me(req), to);
    res.json({ ok: true });
  });

  router.get('/api/agents', agent, (_req, res) => {
    res.json(ctx.users.map((u) => ({ username: u.username, displayName: u.displayName, role: u.role })));
  });

  /**
   * Server-sent events: the live queue. The page reloads the lists when something changes. At most
   * CONSOLE_MAX_EVENT_STREAMS_PER_SESSION per session in this process: one more evicts the oldest, which
   * is told so (event `evicted`) and then closed.
   */
  router.get('/api/events', agent, (req: Request, res: Response) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const unsubscribe = subscribe((event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`));
    // The session is checked at every heartbeat: a stream must not outlive a session that expired or was
    // ended on another replica (a logout closes this replica's streams at once).
    const sessionKey = `session:${req.sessionId ?? ''}`;
    const heartbeat = setInterval(() => {
      void ctx.sessions.get(sessionKey).then(
        (alive) => (alive === null ? res.end() : res.write(': ping\n\n')),
        () => res.write(': ping\n\n'),
      );
    }, 15_000);
    const max = ctx.config.CONSOLE_MAX_EVENT_STREAMS_PER_SESSION;
    const forget = ctx.eventStreams.open(req.sessionId ?? '', {
      evict: () => {
        res.end(
          `event: evicted\ndata: ${JSON.stringify({ error: 'CONSOLE.TOO_MANY_EVENT_STREAMS', message: consoleMessages.tooManyEventStreams(max) })}\n\n`,
        );
        ctx.logger.info(
          { event: 'console_event_stream_evicted', by: me(req), max },
          'oldest live-queue stream of a session closed',
        );
      },
    });
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      forget();
    });
  });

  return router;
}
