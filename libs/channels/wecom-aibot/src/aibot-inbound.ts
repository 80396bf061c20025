import type { ChannelGatewayContext } from '@answerbridge/core';
import {
  allowedResponseUrl,
  conversationIdFor,
  messageIdFor,
  normalizeAibotMessage,
  type AibotCallback,
} from './aibot-callback';
import { feedbackOf, recordFeedback } from './aibot-events';
import { messagesFor } from './aibot-messages';
import { AIBOT_CHANNEL, type AibotBot, type AibotSettings } from './aibot-schemas';
import type { AibotStreams } from './aibot-streams';

/** What to answer a callback with, before the channel's transport (an encrypted body, or a frame) wraps it. */
export type InboundOutcome =
  | {
      kind: 'stream';
      stream: { id: string; finish: boolean; content: string; feedback?: { id: string } };
      /** Set for a user's message: the message queued (or a redelivery of one). */
      accepted?: { messageId: string; duplicate: boolean; receivedAt: number; conversationId: string };
    }
  | { kind: 'welcome'; text: string }
  | { kind: 'empty' };

export type AibotGatewayContext = ChannelGatewayContext<AibotBot, AibotSettings>;

/**
 * The callbacks both transports share: a user's message (placeholder stream, queued once per msgid), a
 * 流式消息刷新 (answered from the shared stream state), and the events (welcome, feedback).
 */
export class AibotInbound {
  constructor(
    private readonly ctx: AibotGatewayContext,
    private readonly streams: AibotStreams,
  ) {}

  async handle(
    bot: AibotBot,
    callback: AibotCallback,
    transport: { mode: 'http' | 'ws'; reqId?: string },
  ): Promise<InboundOutcome> {
    if (bot.aibotId && callback.aibotid && callback.aibotid !== bot.aibotId) {
      this.ctx.countCallback('rejected_bot');
      this.ctx.logger.warn({ botId: bot.id }, 'AI bot callback for another aibotid ignored');
      return { kind: 'empty' };
    }
    if (callback.msgtype === 'stream') return this.refresh(bot, callback);
    if (callback.msgtype === 'event') return this.event(bot, callback);
    return this.message(bot, callback, transport);
  }

  private async message(
    bot: AibotBot,
    callback: AibotCallback,
    transport: { mode: 'http' | 'ws'; reqId?: string },
  ): Promise<InboundOutcome> {
    const now = this.ctx.nowMs();
    const messages = messagesFor(bot.language);
    const messageId = messageIdFor(bot.id, callback.msgid);
    const chatType = callback.chattype === 'group' ? 'group' : 'direct';
    const conversationId = conversationIdFor(bot.id, chatType, callback.from.userid, callback.chatid);
    const responseUrl = allowedResponseUrl(callback.response_url, this.ctx.settings.WECOM_AIBOT_RESPONSE_ORIGINS);
    if (callback.response_url && !responseUrl)
      this.ctx.logger.warn({ botId: bot.id, messageId }, 'response_url outside WECOM_AIBOT_RESPONSE_ORIGINS ignored');
    const { streamId, created } = await this.streams.open(bot.id, callback.msgid, {
      messageId,
      conversationId,
      receivedAt: now,
      ...(responseUrl ? { responseUrl } : {}),
    });
    const record = created ? null : await this.streams.record(bot.id, streamId);
    const message = normalizeAibotMessage(callback, {
      botId: bot.id,
      mode: transport.mode,
      streamId,
      responseUrl,
      reqId: transport.reqId,
      // A redelivery keeps the first delivery's time: the window counts from the user's message.
      nowMs: record?.receivedAt ?? now,
    });
    const result = await this.ctx.accept(message);
    this.ctx.countCallback(result.duplicate ? 'duplicate' : 'accepted');
    const final = created ? null : await this.streams.final(bot.id, streamId);
    return {
      kind: 'stream',
      stream: {
        id: streamId,
        finish: final !== null,
        content: final?.content ?? messages.placeholder,
        // The feedback id is the message's id, which the worker's decision record carries: a verdict finds its decision.
        ...(final ? {} : { feedback: { id: messageId } }),
      },
      accepted: { messageId, duplicate: result.duplicate, receivedAt: message.receivedAt, conversationId },
    };
  }

  /** 流式消息刷新: the final content when there is one, else the placeholder, else (window ending) "still working". */
  private async refresh(bot: AibotBot, callback: AibotCallback): Promise<InboundOutcome> {
    const streamId = callback.stream?.id ?? '';
    const messages = messagesFor(bot.language);
    const final = streamId ? await this.streams.final(bot.id, streamId) : null;
    if (final) {
      this.ctx.countCallback('refresh_final');
      return { kind: 'stream', stream: { id: streamId, finish: true, content: final.content } };
    }
    const record = streamId ? await this.streams.record(bot.id, streamId) : null;
    if (!record) {
      // Not ours, or expired: finish it empty so WeCom stops asking (Tencent's plugin does the same).
      this.ctx.countCallback('refresh_unknown');
      return { kind: 'stream', stream: { id: streamId, finish: true, content: messages.unknownStream } };
    }
    if (this.streams.inWindow(record, this.ctx.nowMs())) {
      this.ctx.countCallback('refresh_pending');
      return { kind: 'stream', stream: { id: streamId, finish: false, content: messages.placeholder } };
    }
    await this.streams.finish(bot.id, streamId, { content: messages.stillWorking, by: 'timeout' });
    const settled = await this.streams.final(bot.id, streamId);
    this.ctx.countCallback('refresh_final');
    return {
      kind: 'stream',
      stream: { id: streamId, finish: true, content: settled?.content ?? messages.stillWorking },
    };
  }

  private async event(bot: AibotBot, callback: AibotCallback): Promise<InboundOutcome> {
    const event = callback.event ?? { eventtype: '' };
    switch (event.eventtype) {
      case 'enter_chat':
        this.ctx.countCallback('welcome');
        return { kind: 'welcome', text: messagesFor(bot.language).welcome };
      case 'feedback_event': {
        const feedback = feedbackOf(bot.id, event, this.ctx.nowMs());
        if (!feedback) {
          this.ctx.countCallback('ignored');
          return { kind: 'empty' };
        }
        await recordFeedback(this.ctx.store, feedback);
        // Also an analytics fact, matched to the decision by the message id. The person is the one tapping: the
        // conversation is theirs (in a group, their own conversation there), so an erasure finds the verdict too.
        const chatType = callback.chattype === 'group' ? 'group' : 'direct';
        await this.ctx.recordFeedback({
          ...feedback,
          channel: AIBOT_CHANNEL,
          conversationId: conversationIdFor(bot.id, chatType, callback.from.userid, callback.chatid),
        });
        this.ctx.countCallback('feedback');
        this.ctx.logger.info(
          { event: 'answer_feedback', botId: bot.id, messageId: feedback.messageId, verdict: feedback.verdict },
          'answer feedback recorded',
        );
        return { kind: 'empty' };
      }
      default:
        this.ctx.countCallback('ignored');
        return { kind: 'empty' };
    }
  }
}
