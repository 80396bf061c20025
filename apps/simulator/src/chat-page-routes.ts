import { readFileSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@answerbridge/config';
import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import type { Logger } from '@answerbridge/observability';
import { Router, json, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { DingTalkServerSimulator, DingTalkSentMessage } from './dingtalk-server';
import type { WecomCallbackClient } from './wecom-callback-client';
import type { SentWecomMessage, WecomServerSimulator } from './wecom-server';

// Resolved from the workspace root so the bundled app (dist/apps/simulator) finds it too.
const chatPage = readFileSync(path.join(workspaceRoot, 'apps/simulator/src/chat-page.html'), 'utf8');

/** How long a DingTalk Stream message may wait for the gateway to take it before the page is told it did not. */
const STREAM_ACK_TIMEOUT_MS = 5_000;

export interface ChatPageDeps {
  wecomBots: WecomBotConfig[];
  dingTalkBots: DingTalkBotConfig[];
  wecom: WecomServerSimulator;
  dingtalk: DingTalkServerSimulator;
  wecomClient(botId: string): WecomCallbackClient;
  dingTalkHttpCallback(botId: string, body: Record<string, unknown>): Promise<{ status: number; body: string }>;
  gatewayUrl: string;
  logger: Logger;
}

/** The chat page's answer for a message: sent (the gateway took it) or failed, with the reason in words. */
const failed = (res: Response, status: number, error: string, message: string) =>
  void res.status(status).json({ ok: false, error, message });

/** The group a DingTalk conversation id names (the simulator makes it from the group's name), or null. */
function groupName(conversationId: string | null): string | null {
  if (!conversationId?.startsWith('cid')) return null;
  return Buffer.from(conversationId.slice(3), 'base64').toString('utf8');
}

/**
 * The chat page people use to talk to the bot locally, and its API: the bots, sending one message as a
 * user (direct, or in a DingTalk group @mentioning the bot), and the bot's replies as they are sent.
 */
export function chatPageRoutes(deps: ChatPageDeps): Router {
  const { wecomBots, dingTalkBots, wecom, dingtalk, logger } = deps;
  const router = Router();
  const gatewayDown = `网关没有响应（${deps.gatewayUrl}），消息没有送达：请确认 npm run dev 中的 gateway 正在运行。`;

  router.get('/', (_req, res) => {
    res.type('html').send(chatPage);
  });
  router.get('/api/bots', (_req, res) => {
    res.json([
      ...wecomBots.map((b) => ({ id: b.id, channel: b.channel })),
      ...dingTalkBots.map((b) => ({ id: b.id, channel: b.channel, mode: b.mode, robotName: b.robotName })),
    ]);
  });

  router.post('/api/chat', json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const { botId, from, text, group } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof from !== 'string' || !from.trim())
      return failed(res, 400, 'CHAT.NO_USER', '请填写用户（发消息的人的账号）。');
    if (typeof text !== 'string' || !text.trim()) return failed(res, 400, 'CHAT.NO_TEXT', '消息是空的。');
    if (group !== undefined && (typeof group !== 'string' || group.length > 64))
      return failed(res, 400, 'CHAT.BAD_GROUP', '群聊名称最多 64 个字。');
    const dingTalkBot = dingTalkBots.find((b) => b.id === botId);
    const wecomBot = wecomBots.find((b) => b.id === botId);
    if (!dingTalkBot && !wecomBot) return failed(res, 400, 'CHAT.NO_BOT', `没有这个机器人：${String(botId)}。`);
    try {
      if (dingTalkBot) {
        // A group message @mentions the bot: DingTalk delivers only those.
        const message = { from: from.trim(), text, ...(group ? { group, atBot: true } : {}) };
        if (dingTalkBot.mode === 'stream') {
          const { messageId } = dingtalk.push(dingTalkBot.id, message);
          // Taken only when the gateway acks the frame; nobody connected means nobody will answer.
          let timer: NodeJS.Timeout | undefined;
          const acked = await Promise.race([
            dingtalk.acked$(messageId).then(() => true),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STREAM_ACK_TIMEOUT_MS))),
          ]);
          clearTimeout(timer);
          if (!acked) return failed(res, 504, 'CHAT.GATEWAY_DOWN', gatewayDown);
          return void res.json({ status: 200 });
        }
        const result = await deps.dingTalkHttpCallback(dingTalkBot.id, dingtalk.robotMessage(dingTalkBot.id, message));
        if (result.status >= 400)
          return failed(res, 502, 'CHAT.REFUSED', `网关拒绝了这条消息（HTTP ${result.status}）。`);
        return void res.json({ status: result.status });
      }
      const result = await deps.wecomClient(String(botId)).sendText(from.trim(), text);
      if (result.status >= 400)
        return failed(res, 502, 'CHAT.REFUSED', `网关拒绝了这条消息（HTTP ${result.status}）。`);
      res.json({ status: result.status });
    } catch (error) {
      logger.warn({ err: error }, 'gateway unreachable');
      failed(res, 502, 'CHAT.GATEWAY_DOWN', gatewayDown);
    }
  });

  router.get('/api/messages', (_req, res) => {
    res.json(wecom.sent);
  });
  router.get('/api/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const onSent = (m: SentWecomMessage) =>
      res.write(`event: sent\ndata: ${JSON.stringify({ ...m, channel: 'wecom', groupName: null })}\n\n`);
    const onDingTalk = (m: DingTalkSentMessage) =>
      res.write(
        `event: sent\ndata: ${JSON.stringify({
          toUser: m.to,
          content: m.text,
          at: m.at,
          channel: 'dingtalk',
          group: m.conversationId,
          groupName: groupName(m.conversationId),
          atUserIds: m.atUserIds,
        })}\n\n`,
      );
    wecom.on('sent', onSent);
    dingtalk.on('sent', onDingTalk);
    req.on('close', () => {
      wecom.off('sent', onSent);
      dingtalk.off('sent', onDingTalk);
    });
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
