import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadConfig,
  workspaceRoot,
  type AppConfig,
  type DingTalkBotConfig,
  type WecomBotConfig,
} from '@answerbridge/config';
import { dingTalkSign } from '@answerbridge/channel-dingtalk';
import { DingTalkServerSimulator, type DingTalkSentMessage } from './dingtalk-server';
import { createLogger, listen, type Logger } from '@answerbridge/observability';
import express, { json } from 'express';
import { WecomCallbackClient } from './wecom-callback-client';
import { WecomServerSimulator, type SentWecomMessage } from './wecom-server';

export interface RunningSimulator {
  url: string;
  wecom: WecomServerSimulator;
  dingtalk: DingTalkServerSimulator;
  /** Posts a robot message to the gateway in DingTalk's HTTP callback mode, signed (or not) as given. */
  dingTalkHttpCallback(
    botId: string,
    body: Record<string, unknown>,
    options?: { timestamp?: string; sign?: string },
  ): Promise<{ status: number; body: string }>;
  /** Callback clients per WeCom bot, delivering to the configured gateway. */
  wecomClient(botId: string): WecomCallbackClient;
  close(): Promise<void>;
}

// Resolved from the workspace root so the bundled app (dist/apps/simulator) finds it too.
const chatPage = readFileSync(path.join(workspaceRoot, 'apps/simulator/src/chat-page.html'), 'utf8');

/** The local stand-in for WeCom: its server API, a callback sender, and a chat page for people. */
export async function bootstrap(config: AppConfig = loadConfig(), logger?: Logger): Promise<RunningSimulator> {
  const log = logger ?? createLogger({ name: 'simulator', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const wecomBots = config.bots.filter((b): b is WecomBotConfig => b.channel === 'wecom');
  const wecom = new WecomServerSimulator(wecomBots);
  const dingTalkBots = config.bots.filter((b): b is DingTalkBotConfig => b.channel === 'dingtalk');
  const dingtalk = new DingTalkServerSimulator(dingTalkBots, {
    redeliverAfterMs: config.SIMULATOR_DINGTALK_REDELIVER_MS,
    sessionTtlMs: config.SIMULATOR_DINGTALK_SESSION_TTL_MS,
    pingIntervalMs: config.SIMULATOR_DINGTALK_PING_MS,
  });
  const dingTalkHttpCallback = async (
    botId: string,
    body: Record<string, unknown>,
    options: { timestamp?: string; sign?: string } = {},
  ) => {
    const bot = dingTalkBots.find((b) => b.id === botId);
    if (!bot) throw new Error(`no DingTalk bot ${botId}`);
    const timestamp = options.timestamp ?? String(Date.now());
    const res = await fetch(`${config.SIMULATOR_GATEWAY_URL}/dingtalk/${botId}/callback`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        timestamp,
        sign: options.sign ?? dingTalkSign(timestamp, bot.clientSecret),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.text() };
  };
  const clients = new Map(wecomBots.map((b) => [b.id, new WecomCallbackClient(config.SIMULATOR_GATEWAY_URL, b)]));
  const wecomClient = (botId: string) => {
    const client = clients.get(botId);
    if (!client) throw new Error(`no WeCom bot ${botId} in the simulator's configuration`);
    return client;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(wecom.router());
  app.use(dingtalk.router());
  app.get('/', (_req, res) => {
    res.type('html').send(chatPage);
  });
  app.get('/api/bots', (_req, res) => {
    res.json([
      ...wecomBots.map((b) => ({ id: b.id, channel: b.channel })),
      ...dingTalkBots.map((b) => ({ id: b.id, channel: b.channel, mode: b.mode })),
    ]);
  });
  app.post('/api/chat', json(), async (req, res) => {
    const { botId, from, text, group } = req.body as { botId?: string; from?: string; text?: string; group?: string };
    const dingTalkBot = dingTalkBots.find((b) => b.id === botId);
    if (dingTalkBot && from && text) {
      // A group message @mentions the bot: DingTalk delivers only those.
      const message = { from, text, ...(group ? { group, atBot: true } : {}) };
      if (dingTalkBot.mode === 'stream') {
        dingtalk.push(dingTalkBot.id, message);
        res.json({ status: 200 });
      } else
        res.json({
          status: (await dingTalkHttpCallback(dingTalkBot.id, dingtalk.robotMessage(dingTalkBot.id, message))).status,
        });
      return;
    }
    if (!botId || !from || !text || !clients.has(botId)) {
      res.status(400).json({ error: 'botId (a configured bot), from and text are required' });
      return;
    }
    try {
      const result = await wecomClient(botId).sendText(from, text);
      res.json({ status: result.status });
    } catch (error) {
      log.warn({ err: error }, 'gateway unreachable');
      res.status(502).json({ status: 'gateway unreachable' });
    }
  });
  app.get('/api/messages', (_req, res) => {
    res.json(wecom.sent);
  });
  app.get('/api/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const onSent = (m: SentWecomMessage) => res.write(`event: sent\ndata: ${JSON.stringify(m)}\n\n`);
    const onDingTalk = (m: DingTalkSentMessage) =>
      res.write(
        `event: sent\ndata: ${JSON.stringify({ toUser: m.to, content: m.text, at: m.at, channel: 'dingtalk', group: m.conversationId })}\n\n`,
      );
    wecom.on('sent', onSent);
    dingtalk.on('sent', onDingTalk);
    req.on('close', () => {
      wecom.off('sent', onSent);
      dingtalk.off('sent', onDingTalk);
    });
  });
  wecom.on('sent', (m) => log.info({ toUser: m.toUser, content: m.content.slice(0, 80) }, 'bot sent a WeCom message'));

  const { server, url } = await listen(app, config.SIMULATOR_HOST, config.SIMULATOR_PORT);
  dingtalk.baseUrl = url;
  dingtalk.attach(server);
  log.info({ url }, 'simulator listening');
  return {
    url,
    wecom,
    dingtalk,
    dingTalkHttpCallback,
    wecomClient,
    async close() {
      dingtalk.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
