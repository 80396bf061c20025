import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { loadAppConfig, type SimulatorSettings } from '@answerbridge/config';
import { wecomChannel } from '@answerbridge/channel-wecom';
import { dingTalkChannel, dingTalkSign } from '@answerbridge/channel-dingtalk';
import { wecomAibotChannel } from '@answerbridge/channel-wecom-aibot';
import { wecomKfChannel } from '@answerbridge/channel-wecom-kf';
import { botsOf } from '@answerbridge/pipeline';
import { DingTalkServerSimulator } from './dingtalk-server';
import { createLogger, listen, type Logger } from '@answerbridge/observability';
import express from 'express';
import { dingTalkChatChannel, wecomAibotChatChannel, wecomChatChannel, wecomKfChatChannel } from './chat-channels';
import { chatPageRoutes } from './chat-page-routes';
import { WecomAibotSimulator } from './wecom-aibot-server';
import { WecomKfSimulator } from './wecom-kf-server';
import { WecomCallbackClient } from './wecom-callback-client';
import { WecomServerSimulator } from './wecom-server';

/** The name people @mention the AI bot by in a group (WeCom's is set in the admin console, not in the bots file). */
const AIBOT_NAME = '智能助手';
/** Where the AI bot's long connection listens on the simulator's port. */
const AIBOT_WS_PATH = '/aibot';

export interface RunningSimulator {
  url: string;
  wecom: WecomServerSimulator;
  dingtalk: DingTalkServerSimulator;
  /** WeCom's AI bot (智能机器人) for the `wecom-aibot` bots: callbacks to the gateway, response_url, long connection. */
  aibot: WecomAibotSimulator;
  /** 微信客服 for the `wecom-kf` bots: customers write, the gateway pulls with sync_msg, the bot sends. */
  kf: WecomKfSimulator;
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
  const gatewayUrl = config.SIMULATOR_GATEWAY_URL;
  const aibotBots = botsOf(wecomAibotChannel, config.bots);
  const aibot = new WecomAibotSimulator(
    aibotBots.map((b) => ({
      id: b.id,
      mode: b.mode,
      name: AIBOT_NAME,
      ...(b.aibotId ? { aibotId: b.aibotId } : {}),
      ...(b.token ? { token: b.token } : {}),
      ...(b.encodingAesKey ? { encodingAesKey: b.encodingAesKey } : {}),
      ...(b.secret ? { secret: b.secret } : {}),
    })),
    { gatewayUrls: [gatewayUrl] },
  );
  const kfBots = botsOf(wecomKfChannel, config.bots);
  const kf = new WecomKfSimulator(
    kfBots.map((b) => ({
      corpId: b.corpId,
      agentId: b.agentId,
      secret: b.secret,
      token: b.token,
      encodingAesKey: b.encodingAesKey,
      openKfId: b.openKfId,
      callbackUrl: `${gatewayUrl}/wecom-kf/${b.id}/callback`,
      ...(b.servicerUserId ? { servicers: [{ userid: b.servicerUserId, status: 0 as const }] } : {}),
    })),
  );
  const clients = new Map(wecomBots.map((b) => [b.id, new WecomCallbackClient(config.SIMULATOR_GATEWAY_URL, b)]));
  const wecomClient = (botId: string) => {
    const client = clients.get(botId);
    if (!client) throw new Error(`no WeCom bot ${botId} in the simulator's configuration`);
    return client;
  };

  const app = express();
  app.disable('x-powered-by');
  // 微信客服's gettoken answers its own apps and passes the others on to the WeCom simulator's.
  app.use(kf.router());
  app.use(aibot.router());
  app.use(wecom.router());
  app.use(dingtalk.router());
  app.use(
    chatPageRoutes({
      channels: [
        wecomChatChannel({ bots: wecomBots, simulator: wecom, client: wecomClient, gatewayUrl }),
        dingTalkChatChannel({
          bots: dingTalkBots,
          simulator: dingtalk,
          httpCallback: dingTalkHttpCallback,
          gatewayUrl,
        }),
        wecomAibotChatChannel({ bots: aibotBots, simulator: aibot, gatewayUrl, robotName: AIBOT_NAME }),
        wecomKfChatChannel({ bots: kfBots, simulator: kf, gatewayUrl }),
      ],
      gatewayUrl,
      logger: log,
    }),
  );
  wecom.on('sent', (m) => log.info({ toUser: m.toUser, content: m.content.slice(0, 80) }, 'bot sent a WeCom message'));

  const { server, url } = await listen(app, config.SIMULATOR_HOST, config.SIMULATOR_PORT);
  dingtalk.baseUrl = url;
  // One port for both long connections, routed by path: DingTalk's Stream at /connect, the AI bot's at
  // /aibot (WECOM_AIBOT_WS_URL = ws://<simulator>/aibot).
  dingtalk.startPings();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname.startsWith(AIBOT_WS_PATH))
      return aibot.handleUpgrade(req, socket, head);
    dingtalk.handleUpgrade(req, socket, head);
  });
  aibot.setBaseUrl(url);
  log.info({ url }, 'simulator listening');
  return {
    url,
    wecom,
    dingtalk,
    aibot,
    kf,
    dingTalkHttpCallback,
    wecomClient,
    async close() {
      dingtalk.close();
      await aibot.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
