import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, workspaceRoot, type AppConfig, type WecomBotConfig } from '@answerbridge/config';
import { createLogger, listen, type Logger } from '@answerbridge/observability';
import express, { json } from 'express';
import { WecomCallbackClient } from './wecom-callback-client';
import { WecomServerSimulator, type SentWecomMessage } from './wecom-server';

export interface RunningSimulator {
  url: string;
  wecom: WecomServerSimulator;
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
  const clients = new Map(wecomBots.map((b) => [b.id, new WecomCallbackClient(config.SIMULATOR_GATEWAY_URL, b)]));
  const wecomClient = (botId: string) => {
    const client = clients.get(botId);
    if (!client) throw new Error(`no WeCom bot ${botId} in the simulator's configuration`);
    return client;
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(wecom.router());
  app.get('/', (_req, res) => {
    res.type('html').send(chatPage);
  });
  app.get('/api/bots', (_req, res) => {
    res.json(wecomBots.map((b) => ({ id: b.id, channel: b.channel })));
  });
  app.post('/api/chat', json(), async (req, res) => {
    const { botId, from, text } = req.body as { botId?: string; from?: string; text?: string };
    if (!botId || !from || !text || !clients.has(botId)) {
      res.status(400).json({ error: 'botId (a configured WeCom bot), from and text are required' });
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
    wecom.on('sent', onSent);
    req.on('close', () => wecom.off('sent', onSent));
  });
  wecom.on('sent', (m) => log.info({ toUser: m.toUser, content: m.content.slice(0, 80) }, 'bot sent a WeCom message'));

  const { server, url } = await listen(app, config.SIMULATOR_HOST, config.SIMULATOR_PORT);
  log.info({ url }, 'simulator listening');
  return {
    url,
    wecom,
    wecomClient,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
