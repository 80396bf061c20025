import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@answerbridge/config';
import type { Logger } from '@answerbridge/observability';
import { Router, json, type ErrorRequestHandler, type Request, type Response } from 'express';
import { gatewayDownMessage, type ChatChannel, type ChatEvent } from './chat-channels';

// Resolved from the workspace root so the bundled app (dist/apps/simulator) finds it too.
const chatPage = readFileSync(path.join(workspaceRoot, 'apps/simulator/src/chat-page.html'), 'utf8');

export interface ChatPageDeps {
  /** Every channel the page talks through, each with its bots (chat-channels.ts). */
  channels: ChatChannel[];
  gatewayUrl: string;
  logger: Logger;
}

/** The chat page's answer for a message: sent (the gateway took it) or failed, with the reason in words. */
const failed = (res: Response, status: number, error: string, message: string) =>
  void res.status(status).json({ ok: false, error, message });

/**
 * The chat page people use to talk to the bot locally, and its API: the bots, sending one message as a
 * user (direct, or in a group @mentioning the bot where the channel has groups), and the bot's replies as
 * they are sent. Each channel is a ChatChannel (chat-channels.ts): nothing here knows one from another.
 */
export function chatPageRoutes(deps: ChatPageDeps): Router {
  const { channels, logger } = deps;
  const router = Router();
  const gatewayDown = gatewayDownMessage(deps.gatewayUrl);

  router.get('/', (_req, res) => {
    res.type('html').send(chatPage);
  });
  router.get('/api/bots', (_req, res) => {
    res.json(channels.flatMap((c) => c.bots()));
  });

  router.post('/api/chat', json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const { botId, from, text, group } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof from !== 'string' || !from.trim())
      return failed(res, 400, 'CHAT.NO_USER', '请填写用户（发消息的人的账号）。');
    if (typeof text !== 'string' || !text.trim()) return failed(res, 400, 'CHAT.NO_TEXT', '消息是空的。');
    if (group !== undefined && (typeof group !== 'string' || group.length > 64))
      return failed(res, 400, 'CHAT.BAD_GROUP', '群聊名称最多 64 个字。');
    const channel = channels.find((c) => c.bots().some((b) => b.id === botId));
    if (!channel) return failed(res, 400, 'CHAT.NO_BOT', `没有这个机器人：${String(botId)}。`);
    try {
      const result = await channel.send(String(botId), { from: from.trim(), text, ...(group ? { group } : {}) });
      if (!result.ok) return failed(res, result.httpStatus, result.error, result.message);
      res.json({ status: result.status });
    } catch (error) {
      logger.warn({ err: error }, 'gateway unreachable');
      failed(res, 502, 'CHAT.GATEWAY_DOWN', gatewayDown);
    }
  });

  router.get('/api/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const send = (m: ChatEvent) => res.write(`event: sent\ndata: ${JSON.stringify(m)}\n\n`);
    const stops = channels.map((c) => c.onSent(send));
    req.on('close', () => stops.forEach((stop) => stop()));
  });
  // A body that is not JSON (or too large) is answered in words like the rest, not with express's HTML page.
  const badBody: ErrorRequestHandler = (error: { type?: string; status?: number }, _req, res, next) => {
    if (!error.status || error.status >= 500) return next(error);
    failed(
      res,
      error.status,
      'CHAT.BAD_REQUEST',
      error.type === 'entity.too.large' ? '消息太长了。' : '请求格式有误（需要 JSON）。',
    );
  };
  router.use(badBody);
  return router;
}
