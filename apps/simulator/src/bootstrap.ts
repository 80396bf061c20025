import { loadAppConfig, type SimulatorSettings } from '@answerbridge/config';
import { wecomChannel } from '@answerbridge/channel-wecom';
import { dingTalkChannel, dingTalkSign } from '@answerbridge/channel-dingtalk';
import { botsOf } from '@answerbridge/pipeline';
import { DingTalkServerSimulator } from './dingtalk-server';
import { createLogger, listen, type Logger } from '@answerbridge/observability';
import express from 'express';
import { chatPageRoutes } from './chat-page-routes';
import { WecomCallbackClient } from './wecom-callback-client';
import { WecomServerSimulator } from './wecom-server';

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

/** The local stand-in for WeCom: its server API, a callback sender, and a chat page for people. */
export async function bootstrap(
  config: SimulatorSettings = loadAppConfig('simulator'),
  logger?: Logger,
): Promise<RunningSimulator> {
  const log = logger ?? createLogger({ name: 'simulator', level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  // Through the channels' own schemas, so the simulator sees each bot as the gateway does (defaults included).
  const wecomBots = botsOf(wecomChannel, config.bots);
  const wecom = new WecomServerSimulator(wecomBots);
  const dingTalkBots = botsOf(dingTalkChannel, config.bots);
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
  app.use(
    chatPageRoutes({
      wecomBots,
      dingTalkBots,
      wecom,
      dingtalk,
      wecomClient,
      dingTalkHttpCallback,
      gatewayUrl: config.SIMULATOR_GATEWAY_URL,
      logger: log,
    }),
  );
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
