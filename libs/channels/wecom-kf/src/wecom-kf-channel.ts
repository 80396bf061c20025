import {
  RejectedInputError,
  type ChannelConnection,
  type ChannelContext,
  type ChannelDefinition,
  type ChannelHandover,
  type ChannelGatewayContext,
  type ChannelRoute,
  type ChannelWorkerContext,
} from '@answerbridge/core';
import { parseCallbackQuery } from '@answerbridge/channel-wecom';
import { KfApi } from './kf-api';
import { openKfCallback, verifyKfCallbackUrl } from './kf-callback';
import {
  KF_CHANNEL,
  KfBotSchema,
  KfReplyTargetSchema,
  KfSettingsSchema,
  type KfBot,
  type KfSettings,
} from './kf-config';
import { KfFetcher } from './kf-fetcher';
import { KfHandover } from './kf-handover';
import { kfMessagesFor } from './kf-messages';
import { KfSender } from './kf-sender';

/** The kf side of a gateway replica, with its fetchers exposed for tests that await a round. */
export interface KfGateway {
  routes: ChannelRoute[];
  connections: ChannelConnection[];
  fetcher(botId: string): KfFetcher | undefined;
}

function apisOf(context: ChannelContext<KfBot, KfSettings>, onApiError?: (errcode: number) => void) {
  const apis = new Map(
    context.bots.map((bot) => [bot.id, new KfApi(bot, context.settings, context.store, onApiError)]),
  );
  return (botId: string) => apis.get(botId);
}

const messagesOf = (bots: KfBot[]) => (botId: string) => kfMessagesFor(bots.find((b) => b.id === botId)?.language);

function kfGateway(context: ChannelGatewayContext<KfBot, KfSettings>): KfGateway {
  const apis = apisOf(context, (code) => context.countApiError(String(code)));
  const fetchers = new Map<string, KfFetcher>();
  for (const bot of context.bots) {
    const api = apis(bot.id);
    if (!api) continue;
    fetchers.set(
      bot.id,
      new KfFetcher({
        bot,
        api,
        store: context.store,
        settings: context.settings,
        messages: kfMessagesFor(bot.language),
        accept: (message) => context.accept(message),
        count: (result) => context.countCallback(result),
        logger: context.logger,
        nowMs: () => context.nowMs(),
      }),
    );
  }
  const botOf = (params: Record<string, string>): KfBot => {
    const bot = context.bots.find((b) => b.id === params.botId);
    if (!bot) throw new RejectedInputError('WECOM_KF.UNKNOWN_BOT', `no 微信客服 bot ${params.botId ?? ''}`, 404);
    return bot;
  };
  const check = () => ({ nowMs: context.nowMs(), maxSkewSeconds: context.settings.CALLBACK_MAX_SKEW_SECONDS });
  const routes: ChannelRoute[] = [
    {
      method: 'GET',
      path: `/${KF_CHANNEL}/:botId/callback`,
      async handle(request) {
        const bot = botOf(request.params);
        const echo = verifyKfCallbackUrl(bot, parseCallbackQuery(request.rawQuery, { requireEchostr: true }), check());
        context.countCallback('url_verified');
        return { status: 200, body: echo };
      },
    },
    {
      method: 'POST',
      path: `/${KF_CHANNEL}/:botId/callback`,
      async handle(request) {
        const bot = botOf(request.params);
        const notice = openKfCallback(bot, parseCallbackQuery(request.rawQuery), request.body, check());
        if (!notice) {
          context.countCallback('ignored');
          return { status: 200, body: '' };
        }
        // One callback URL serves every account of the managing app: the account picks the bot.
        const account = notice.openKfId ?? bot.openKfId;
        const served = context.bots.find(
          (b) => b.openKfId === account && b.corpId === bot.corpId && b.token === bot.token,
        );
        const fetcher = served && fetchers.get(served.id);
        if (!fetcher) {
          context.logger.warn({ openKfId: account, botId: bot.id }, 'kf callback for an account no bot serves');
          context.countCallback('unknown_account');
          return { status: 200, body: '' };
        }
        // Answered now; the messages are pulled after (WeCom retries a callback not answered within ~5 s).
        fetcher.kick(notice.token);
        context.countCallback('pull_requested');
        return { status: 200, body: '' };
      },
    },
  ];
  const connections: ChannelConnection[] = [...fetchers.entries()].map(([botId, fetcher]) => {
    let started = false;
    return {
      name: `${KF_CHANNEL}:${botId}:catch-up`,
      get connected() {
        return started;
      },
      // A replica starting pulls once without a callback: messages whose callback came while no gateway
      // was up (or whose round died with one) are fetched now instead of at the account's next message.
      start() {
        started = true;
        fetcher.kick(undefined);
      },
      // The round in flight ends first, so its lock is released and its page queued before Redis closes.
      async stop() {
        started = false;
        await fetcher.stop();
      },
    };
  });
  return { routes, connections, fetcher: (botId) => fetchers.get(botId) };
}

function kfSender(context: ChannelWorkerContext<KfBot, KfSettings>): KfSender {
  return new KfSender({
    apis: apisOf(context, (code) => context.countApiError(String(code))),
    store: context.store,
    messages: messagesOf(context.bots),
    logger: context.logger,
    nowMs: () => context.nowMs(),
  });
}

function kfHandover(context: ChannelWorkerContext<KfBot, KfSettings>): ChannelHandover {
  return new KfHandover({
    apis: apisOf(context, (code) => context.countApiError(String(code))),
    store: context.store,
    messages: messagesOf(context.bots),
    logger: context.logger,
  });
}

/** 微信客服 (WeChat customer service): external WeChat users, messages pulled with sync_msg. */
export const wecomKfChannel: ChannelDefinition<KfBot, KfSettings> & {
  gateway(context: ChannelGatewayContext<KfBot, KfSettings>): KfGateway;
} = {
  name: KF_CHANNEL,
  label: { zh: '微信客服', en: 'WeChat customer service' },
  botSchema: KfBotSchema,
  replyTargetSchema: KfReplyTargetSchema,
  settingsSchema: KfSettingsSchema,
  gateway: kfGateway,
  sender: kfSender,
  handover: kfHandover,
};
