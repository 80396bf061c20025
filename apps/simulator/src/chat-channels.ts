import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import type { AibotBot } from '@answerbridge/channel-wecom-aibot';
import type { KfBot } from '@answerbridge/channel-wecom-kf';
import type { DingTalkServerSimulator, DingTalkSentMessage } from './dingtalk-server';
import type { WecomAibotSimulator, AibotBubble } from './wecom-aibot-server';
import type { WecomCallbackClient } from './wecom-callback-client';
import type { SentKfMessage, WecomKfSimulator } from './wecom-kf-server';
import type { SentWecomMessage, WecomServerSimulator } from './wecom-server';

/** A bot as the chat page lists it. */
export interface ChatBot {
  id: string;
  channel: string;
  /** The channel as people say it (企业微信, 钉钉, 企业微信智能机器人, 微信客服). */
  channelName: string;
  /** The name people @mention in a group. */
  robotName?: string;
  mode?: string;
  /** Whether a group chat (the bot @mentioned) can be had with it. */
  groups: boolean;
  /** Who the person writing is, when not a colleague: 外部客户 for 微信客服. */
  userKind?: string;
}

/** What the person typed into the page. */
export interface ChatInput {
  from: string;
  text: string;
  /** A group's name: the message @mentions the bot there. Only where the bot has `groups`. */
  group?: string;
}

/** The gateway took the message, or did not (in words, for the page). */
export type ChatSendResult =
  { ok: true; status: number } | { ok: false; httpStatus: number; error: string; message: string };

/** A reply the person sees, as the page's `sent` event carries it. */
export interface ChatEvent {
  channel: string;
  botId: string | null;
  toUser: string;
  content: string;
  at: number;
  /** The group's id in the channel's terms, and its name as the page shows it; null in a direct chat. */
  group?: string | null;
  groupName: string | null;
  atUserIds?: string[];
  /**
   * A reply shown as it grows (the AI bot's streams): later events with the same id replace the bubble;
   * `finished` says it will not change again. Absent for replies that arrive whole.
   */
  bubbleId?: string;
  finished: boolean;
}

/** One channel the chat page can talk through: its bots, sending as a person, and what the bot sends back. */
export interface ChatChannel {
  readonly name: string;
  bots(): ChatBot[];
  /** Sends as the person to one of this channel's bots; resolves once the gateway took it or did not. */
  send(botId: string, input: ChatInput): Promise<ChatSendResult>;
  onSent(listener: (event: ChatEvent) => void): () => void;
}

/** The gateway did not answer at all: the words the page shows. */
export const gatewayDownMessage = (gatewayUrl: string) =>
  `网关没有响应（${gatewayUrl}），消息没有送达：请确认 npm run dev 中的 gateway 正在运行。`;
const down = (gatewayUrl: string): ChatSendResult => ({
  ok: false,
  httpStatus: 502,
  error: 'CHAT.GATEWAY_DOWN',
  message: gatewayDownMessage(gatewayUrl),
});
const refused = (status: number): ChatSendResult => ({
  ok: false,
  httpStatus: 502,
  error: 'CHAT.REFUSED',
  message: `网关拒绝了这条消息（HTTP ${status}）。`,
});
const noBot = (botId: string): ChatSendResult => ({
  ok: false,
  httpStatus: 400,
  error: 'CHAT.NO_BOT',
  message: `没有这个机器人：${botId}。`,
});
const answered = (status: number): ChatSendResult => (status >= 400 ? refused(status) : { ok: true, status });

/** How long a DingTalk Stream message may wait for the gateway to take it before the page is told it did not. */
const STREAM_ACK_TIMEOUT_MS = 5_000;

/** The group a DingTalk conversation id names (the simulator makes it from the group's name), or null. */
function dingTalkGroupName(conversationId: string | null): string | null {
  if (!conversationId?.startsWith('cid')) return null;
  return Buffer.from(conversationId.slice(3), 'base64').toString('utf8');
}

/** The AI bot's group chatid for a group name typed into the page, and back (WeCom's look like wr…). */
const aibotChatId = (group: string) => `wr${Buffer.from(group).toString('base64url')}`;
const aibotGroupName = (chatId: string | undefined) =>
  chatId?.startsWith('wr') ? Buffer.from(chatId.slice(2), 'base64url').toString('utf8') : null;

/** Subscribes to an emitter's event and returns how to stop. */
function subscribe<T>(
  emitter: { on(event: string, l: (m: T) => void): unknown; off(event: string, l: (m: T) => void): unknown },
  event: string,
  listener: (m: T) => void,
): () => void {
  emitter.on(event, listener);
  return () => void emitter.off(event, listener);
}

/** The WeCom self-built app: direct chats, replies sent whole through message/send. */
export function wecomChatChannel(deps: {
  bots: WecomBotConfig[];
  simulator: WecomServerSimulator;
  client(botId: string): WecomCallbackClient;
  gatewayUrl: string;
}): ChatChannel {
  const botOf = (m: SentWecomMessage) =>
    deps.bots.find((b) => b.corpId === m.corpId && b.agentId === m.agentId)?.id ?? null;
  return {
    name: 'wecom',
    bots: () => deps.bots.map((b) => ({ id: b.id, channel: b.channel, channelName: '企业微信', groups: false })),
    send(botId, { from, text }) {
      return deps
        .client(botId)
        .sendText(from, text)
        .then((r) => answered(r.status));
    },
    onSent: (listener) =>
      subscribe<SentWecomMessage>(deps.simulator, 'sent', (m) =>
        listener({ ...m, channel: 'wecom', botId: botOf(m), groupName: null, finished: true }),
      ),
  };
}

/** DingTalk: direct chats and groups that @mention the bot, over Stream or HTTP callbacks. */
export function dingTalkChatChannel(deps: {
  bots: DingTalkBotConfig[];
  simulator: DingTalkServerSimulator;
  httpCallback(botId: string, body: Record<string, unknown>): Promise<{ status: number; body: string }>;
  gatewayUrl: string;
}): ChatChannel {
  const { simulator } = deps;
  const botOf = (m: DingTalkSentMessage) =>
    deps.bots.find((b) => (b.robotCode ?? b.clientId) === m.robotCode)?.id ?? null;
  return {
    name: 'dingtalk',
    bots: () =>
      deps.bots.map((b) => ({
        id: b.id,
        channel: b.channel,
        channelName: '钉钉',
        mode: b.mode,
        robotName: b.robotName,
        groups: true,
      })),
    send(botId, { from, text, group }) {
      const bot = deps.bots.find((b) => b.id === botId);
      if (!bot) return Promise.resolve(noBot(botId));
      // A group message @mentions the bot: DingTalk delivers only those.
      const message = { from, text, ...(group ? { group, atBot: true } : {}) };
      if (bot.mode !== 'stream')
        return deps.httpCallback(bot.id, simulator.robotMessage(bot.id, message)).then((r) => answered(r.status));
      return (async () => {
        const { messageId } = simulator.push(bot.id, message);
        // Taken only when the gateway acks the frame; nobody connected means nobody will answer.
        let timer: NodeJS.Timeout | undefined;
        const acked = await Promise.race([
          simulator.acked$(messageId).then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STREAM_ACK_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
        return acked ? { ok: true as const, status: 200 } : { ...down(deps.gatewayUrl), httpStatus: 504 };
      })();
    },
    onSent: (listener) =>
      subscribe<DingTalkSentMessage>(simulator, 'sent', (m) =>
        listener({
          toUser: m.to,
          content: m.text,
          at: m.at,
          channel: 'dingtalk',
          botId: botOf(m),
          group: m.conversationId,
          groupName: dingTalkGroupName(m.conversationId),
          atUserIds: m.atUserIds,
          finished: true,
        }),
      ),
  };
}

/**
 * WeCom's AI bot (智能机器人): direct chats and groups that @mention it; the answer is a stream shown as it
 * grows (the placeholder, then the answer in the same bubble), or a response_url message.
 */
export function wecomAibotChatChannel(deps: {
  bots: AibotBot[];
  simulator: WecomAibotSimulator;
  gatewayUrl: string;
  /** The name people @mention (the simulator's default). */
  robotName: string;
}): ChatChannel {
  const { simulator } = deps;
  return {
    name: 'wecom-aibot',
    bots: () =>
      deps.bots.map((b) => ({
        id: b.id,
        channel: b.channel,
        channelName: '企业微信智能机器人',
        mode: b.mode,
        robotName: deps.robotName,
        groups: true,
      })),
    send(botId, { from, text, group }) {
      const bot = deps.bots.find((b) => b.id === botId);
      if (!bot) return Promise.resolve(noBot(botId));
      return (async () => {
        // 长连接: a frame pushed while no gateway holds the connection reaches nobody.
        if (bot.mode === 'ws' && simulator.connectionsOf(bot.id) === 0) return down(deps.gatewayUrl);
        const message = await simulator.send(bot.id, from, text, group ? { chatId: aibotChatId(group) } : {});
        if (bot.mode === 'ws') return { ok: true as const, status: 200 };
        // URL回调: the gateway answers the callback with the stream's first snapshot at once; the simulator
        // tries three times, so no bubble means it never got through.
        const taken = simulator.bubbles.some((b) => b.inReplyTo === message.msgid);
        return taken ? { ok: true as const, status: 200 } : down(deps.gatewayUrl);
      })();
    },
    onSent: (listener) =>
      subscribe<AibotBubble>(simulator, 'bubble', (b) => {
        // A stream's bubble exists before its first snapshot: nothing to show yet.
        if (!b.content && !b.finished) return;
        listener({
          channel: 'wecom-aibot',
          botId: b.botId,
          toUser: b.userId,
          content: b.content,
          at: Date.now(),
          group: b.chatId ?? null,
          groupName: aibotGroupName(b.chatId),
          bubbleId: `wecom-aibot-${b.seq}`,
          finished: b.finished,
        });
      }),
  };
}

/** 微信客服: an external customer (外部客户) writes to a kf account; the bot answers through send_msg. */
export function wecomKfChatChannel(deps: {
  bots: KfBot[];
  simulator: WecomKfSimulator;
  gatewayUrl: string;
}): ChatChannel {
  const { simulator } = deps;
  return {
    name: 'wecom-kf',
    bots: () =>
      deps.bots.map((b) => ({
        id: b.id,
        channel: b.channel,
        channelName: '微信客服',
        groups: false,
        userKind: '外部客户',
      })),
    send(botId, { from, text }) {
      const bot = deps.bots.find((b) => b.id === botId);
      if (!bot) return Promise.resolve(noBot(botId));
      // The message is in the account's log either way; status 0 is a callback that reached no one.
      return simulator
        .customerSends(bot.openKfId, from, text)
        .then((r) => (r.status === 0 ? down(deps.gatewayUrl) : answered(r.status)));
    },
    onSent: (listener) =>
      subscribe<SentKfMessage>(simulator, 'sent', (m) =>
        listener({
          channel: 'wecom-kf',
          botId: deps.bots.find((b) => b.openKfId === m.openKfId)?.id ?? null,
          toUser: m.toUser,
          content: m.content,
          at: m.at,
          groupName: null,
          finished: true,
        }),
      ),
  };
}
