import type { InboundMessage, MessageKind } from '@answerbridge/core';
import type { KfSyncItem } from './kf-api';
import { KF_CHANNEL, type KfBot, type KfReplyTarget } from './kf-config';
import { keyPart } from './kf-keys';

/** An inbound message of this channel: the shared shape with the kf channel name and reply target. */
export type KfInboundMessage = Omit<InboundMessage, 'channel' | 'replyTarget'> & {
  channel: typeof KF_CHANNEL;
  replyTarget: KfReplyTarget;
};

const kindOf: Record<string, MessageKind> = { text: 'text', voice: 'voice', image: 'image' };

export const conversationIdFor = (botId: string, externalUserId: string) => `${KF_CHANNEL}/${botId}/${externalUserId}`;

/** The message id: the same for the same msgid however often a page is fetched, so the queue drops repeats. */
export const inboundIdFor = (botId: string, msgid: string) => `${KF_CHANNEL}-${botId}-${keyPart(msgid)}`;

/** A customer's message (origin 3) as the worker answers it; null when it names no customer. */
export function toInbound(bot: KfBot, item: KfSyncItem, receivedAt: number): KfInboundMessage | null {
  const user = item.external_userid;
  if (!user) return null;
  const kind = kindOf[item.msgtype] ?? 'other';
  return {
    id: inboundIdFor(bot.id, item.msgid),
    channel: KF_CHANNEL,
    botId: bot.id,
    platformMessageId: item.msgid,
    conversationId: conversationIdFor(bot.id, user),
    chatType: 'direct',
    senderId: user,
    kind,
    text: kind === 'text' ? (item.text?.content ?? '').trim() : '',
    sentAt: (item.send_time ?? 0) * 1000,
    receivedAt,
    replyTarget: { channel: KF_CHANNEL, openKfId: bot.openKfId, externalUserId: user },
  };
}
