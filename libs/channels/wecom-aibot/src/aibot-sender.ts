import {
  AnswerbridgeError,
  type ChannelSender,
  type ChannelWorkerContext,
  type HttpClient,
  type OutboundReply,
} from '@answerbridge/core';
import { conversationIdFor } from './aibot-callback';
import type { AibotRelay } from './aibot-relay';
import { AibotReplyTargetSchema, type AibotBot, type AibotReplyTarget, type AibotSettings } from './aibot-schemas';
import { RESPONSE_URL_LIFE_MS, type AibotStreams } from './aibot-streams';

/** Stream content and response_url markdown: at most 20480 bytes of UTF-8 (doc 101031 / 101138). */
export const AIBOT_CONTENT_LIMIT_BYTES = 20_480;

export function truncateUtf8(text: string, limit = AIBOT_CONTENT_LIMIT_BYTES): string {
  if (Buffer.byteLength(text, 'utf8') <= limit) return text;
  const ellipsis = '…';
  let bytes = Buffer.from(text, 'utf8').subarray(0, limit - Buffer.byteLength(ellipsis));
  // Do not cut a character in two: drop a trailing partial sequence.
  while (bytes.length > 0 && ((bytes[bytes.length - 1] ?? 0) & 0xc0) === 0x80) bytes = bytes.subarray(0, -1);
  if (bytes.length > 0 && (bytes[bytes.length - 1] ?? 0) >= 0xc0) bytes = bytes.subarray(0, -1);
  return `${bytes.toString('utf8')}${ellipsis}`;
}

/** A reply handed to the long connection's holder through the relay (`aibot:<bot>:outbox`). */
export interface OutboxItem {
  replyId: string;
  botId: string;
  /** The bot's answer to this very message (its stream may carry it); otherwise an agent's reply or a notice. */
  own: boolean;
  conversationId: string;
  target: AibotReplyTarget;
  text: string;
}

export const outboxOf = (botId: string) => `aibot:${botId}:outbox`;

export class AibotNoReplyPathError extends AnswerbridgeError {
  constructor(message: string) {
    super('AIBOT.NO_REPLY_PATH', message, false);
  }
}

/**
 * Delivers replies for AI bots. URL回调 mode: into the message's stream while its window is open (any
 * gateway replica then shows it on the next refresh), else through a response_url (one use, one hour).
 * An agent's reply, whose target is the escalated message, also uses the conversation's newer messages:
 * the newest open stream, then the newest unused response_url. A notice (agent joined …) only takes an
 * open stream, leaving the one-use URLs to the agent's words. Long-connection mode: the reply goes into
 * the bot's outbox for the replica holding the socket.
 */
export class AibotSender implements ChannelSender {
  private readonly http: HttpClient;

  constructor(
    private readonly ctx: ChannelWorkerContext<AibotBot, AibotSettings>,
    private readonly streams: AibotStreams,
    private readonly relay: AibotRelay | null,
  ) {
    this.http = ctx.http({ codePrefix: 'AIBOT' });
  }

  async send(reply: OutboundReply): Promise<{ platformMessageId: string | null }> {
    const parsed = AibotReplyTargetSchema.safeParse(reply.target);
    if (!parsed.success)
      throw new AnswerbridgeError('AIBOT.BAD_TARGET', `reply ${reply.id} has no AI bot reply target`, false);
    const target = parsed.data;
    const bot = this.ctx.bots.find((b) => b.id === reply.botId);
    if (!bot) throw new AnswerbridgeError('AIBOT.UNKNOWN_BOT', `no AI bot ${reply.botId}`, false);
    const text = truncateUtf8(reply.text);
    const ownRecord = await this.streams.record(bot.id, target.streamId);
    const own = ownRecord?.messageId === reply.inReplyTo;
    const conversationId =
      ownRecord?.conversationId ?? conversationIdFor(bot.id, target.chatType, target.userId, target.chatId);
    if (target.mode === 'ws') {
      if (!this.relay)
        throw new AnswerbridgeError('AIBOT.NO_RELAY', 'long-connection replies need the relay (Redis)', false);
      const item: OutboxItem = { replyId: reply.id, botId: bot.id, own, conversationId, target, text };
      await this.relay.post(outboxOf(bot.id), JSON.stringify(item));
      return { platformMessageId: null };
    }
    const now = this.ctx.nowMs();
    const person = reply.track !== undefined;
    // The message's own stream first; an agent's reply or a notice may also finish a newer message's stream.
    const paths = own ? [] : await this.streams.paths(bot.id, conversationId);
    const streamIds = [target.streamId, ...paths.map((p) => p.streamId)];
    for (const streamId of [...new Set(streamIds)]) {
      const record = streamId === target.streamId ? ownRecord : await this.streams.record(bot.id, streamId);
      if (!record || !this.streams.inWindow(record, now)) continue;
      if (await this.streams.finish(bot.id, streamId, { content: text, by: reply.id })) {
        this.ctx.logger.debug({ replyId: reply.id, streamId }, 'AI bot reply put into the stream');
        return { platformMessageId: streamId };
      }
    }
    if (!own && !person) {
      // A notice with no open stream: not worth a one-use response_url an agent's reply may need.
      this.ctx.countApiError('NOTICE_NO_OPEN_STREAM');
      this.ctx.logger.warn({ replyId: reply.id, botId: bot.id }, 'AI bot notice dropped: no open stream');
      return { platformMessageId: null };
    }
    const urls = [
      ...(target.responseUrl ? [{ url: target.responseUrl, receivedAt: target.receivedAt }] : []),
      ...paths.flatMap((p) => (p.responseUrl ? [{ url: p.responseUrl, receivedAt: p.receivedAt }] : [])),
    ];
    // Oldest first: those expire first, and the newer ones stay for the agent's next replies.
    const unique = [...new Map(urls.map((u) => [u.url, u])).values()].sort((a, b) => a.receivedAt - b.receivedAt);
    for (const { url, receivedAt } of unique) {
      if (now > receivedAt + RESPONSE_URL_LIFE_MS) continue;
      if (!this.ctx.settings.WECOM_AIBOT_RESPONSE_ORIGINS.includes(new URL(url).origin)) continue;
      if (!(await this.streams.claimResponseUrl(bot.id, url, reply.id))) continue;
      if (await this.postResponseUrl(bot.id, url, reply.id, text)) return { platformMessageId: null };
    }
    throw new AibotNoReplyPathError(
      `reply ${reply.id}: no open stream and no unused response_url left (URL回调 mode cannot push; the asker must write again)`,
    );
  }

  /** POSTs markdown to a claimed response_url; false when WeCom refused it (the URL is spent either way). */
  private async postResponseUrl(botId: string, url: string, replyId: string, text: string): Promise<boolean> {
    let response;
    try {
      response = await this.http.request(url, {
        method: 'POST',
        json: { msgtype: 'markdown', markdown: { content: text } },
        timeoutMs: this.ctx.settings.WECOM_AIBOT_API_TIMEOUT_MS,
        what: 'AI bot response_url',
        redirect: 'refuse',
      });
    } catch (error) {
      // Not delivered: give the URL back so the queue's retry can use it.
      await this.streams.releaseResponseUrl(botId, url, replyId);
      throw error;
    }
    const errcode = (response.json as { errcode?: unknown } | undefined)?.errcode;
    if (response.ok && (errcode === undefined || errcode === 0)) return true;
    if (response.status >= 500 || response.status === 429) {
      await this.streams.releaseResponseUrl(botId, url, replyId);
      throw new AnswerbridgeError('AIBOT.HTTP', `response_url answered HTTP ${response.status}`, true);
    }
    this.ctx.countApiError(String(errcode ?? response.status));
    this.ctx.logger.warn({ replyId, status: response.status, errcode }, 'response_url refused the reply');
    return false;
  }
}
