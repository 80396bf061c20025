import { createHash } from 'node:crypto';
import { RejectedInputError, type InboundMessage, type MessageKind } from '@answerbridge/core';
import { z } from 'zod';
import { AIBOT_CHANNEL, type AibotReplyTarget } from './aibot-schemas';
import { parseJsonObject } from './strict-json';

/** Callbacks nest three levels at most (event → template_card_event → selected_items …); 8 leaves room. */
export const CALLBACK_LIMITS = { maxBytes: 64 * 1024, maxDepth: 8 };

const Id = z.string().min(1).max(256);

/** The decrypted callback (doc 100719 / 101027), the fields we use; anything else passes untouched. */
const CallbackSchema = z.looseObject({
  msgid: z.union([Id, z.number().transform(String)]),
  aibotid: z.string().optional(),
  chatid: z.string().max(256).optional(),
  chattype: z.enum(['single', 'group']).optional(),
  from: z.looseObject({ userid: Id }),
  response_url: z.string().max(2048).optional(),
  msgtype: z.string().min(1).max(32),
  create_time: z.number().optional(),
  text: z.looseObject({ content: z.string() }).optional(),
  voice: z.looseObject({ content: z.string() }).optional(),
  mixed: z
    .looseObject({
      msg_item: z.array(
        z.looseObject({ msgtype: z.string(), text: z.looseObject({ content: z.string() }).optional() }),
      ),
    })
    .optional(),
  stream: z.looseObject({ id: Id }).optional(),
  event: z.looseObject({ eventtype: z.string().min(1).max(64) }).optional(),
});
export type AibotCallback = z.infer<typeof CallbackSchema>;

/** Reads a decrypted callback body (or a long-connection frame's body): bounded JSON, then the schema. */
export function parseAibotCallback(plaintext: string | Record<string, unknown>): AibotCallback {
  const raw = typeof plaintext === 'string' ? parseJsonObject(plaintext, CALLBACK_LIMITS, 'callback') : plaintext;
  const parsed = CallbackSchema.safeParse(raw);
  if (!parsed.success)
    throw new RejectedInputError(
      'AIBOT.BAD_CALLBACK',
      `callback: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      400,
    );
  return parsed.data;
}

/** A leading "@<bot name>" (the mention WeCom keeps in group messages), and the spaces after it. */
const LEADING_MENTION = /^\s*@\S+[\s\u2005\u00a0]*/u;

export function stripMention(text: string): string {
  return text.replace(LEADING_MENTION, '').trim();
}

/** msgid carries base64 ("/", "+", "="): job ids and feedback ids get a hash of it. */
export function messageIdFor(botId: string, msgid: string): string {
  return `${AIBOT_CHANNEL}-${botId}-${createHash('sha256').update(msgid).digest('hex').slice(0, 32)}`;
}

/** One conversation per person per bot, and per person within a group (isConversationOf: the person is last). */
export function conversationIdFor(
  botId: string,
  chatType: 'direct' | 'group',
  userId: string,
  chatId?: string,
): string {
  return chatType === 'group' && chatId
    ? `${AIBOT_CHANNEL}/${botId}/${chatId}/${userId}`
    : `${AIBOT_CHANNEL}/${botId}/${userId}`;
}

function kindAndText(callback: AibotCallback, group: boolean): { kind: MessageKind; text: string } {
  const clean = (text: string) => (group ? stripMention(text) : text.trim());
  switch (callback.msgtype) {
    case 'text':
      return { kind: 'text', text: clean(callback.text?.content ?? '') };
    case 'voice':
      return { kind: 'voice', text: (callback.voice?.content ?? '').trim() };
    case 'mixed': {
      const text = (callback.mixed?.msg_item ?? [])
        .flatMap((item) => (item.msgtype === 'text' && item.text ? [item.text.content] : []))
        .join('\n');
      return { kind: 'text', text: clean(text) };
    }
    case 'image':
      return { kind: 'image', text: '' };
    default:
      return { kind: 'other', text: '' };
  }
}

export interface NormalizeOptions {
  botId: string;
  mode: 'http' | 'ws';
  streamId: string;
  /** The response_url, only when its origin is allowed. */
  responseUrl?: string | undefined;
  reqId?: string | undefined;
  nowMs: number;
}

/** A user's message (not a refresh, not an event) as the one InboundMessage the worker answers. */
export function normalizeAibotMessage(callback: AibotCallback, options: NormalizeOptions): InboundMessage {
  const group = callback.chattype === 'group';
  if (group && !callback.chatid)
    throw new RejectedInputError('AIBOT.BAD_CALLBACK', 'group callback without chatid', 400);
  const chatType = group ? 'group' : 'direct';
  const userId = callback.from.userid;
  const { kind, text } = kindAndText(callback, group);
  const replyTarget: AibotReplyTarget = {
    channel: AIBOT_CHANNEL,
    mode: options.mode,
    chatType,
    ...(group && callback.chatid ? { chatId: callback.chatid } : {}),
    userId,
    streamId: options.streamId,
    ...(options.responseUrl ? { responseUrl: options.responseUrl } : {}),
    ...(options.reqId ? { reqId: options.reqId } : {}),
    receivedAt: options.nowMs,
  };
  return {
    id: messageIdFor(options.botId, callback.msgid),
    channel: AIBOT_CHANNEL,
    botId: options.botId,
    platformMessageId: callback.msgid,
    conversationId: conversationIdFor(options.botId, chatType, userId, callback.chatid),
    chatType,
    senderId: userId,
    kind,
    text,
    sentAt: callback.create_time ? Math.trunc(callback.create_time) * 1000 : options.nowMs,
    receivedAt: options.nowMs,
    replyTarget,
  };
}

/** True for an allowed response_url: https (or the configured origins exactly), no credentials. */
export function allowedResponseUrl(url: string | undefined, origins: readonly string[]): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.username || parsed.password || !origins.includes(parsed.origin)) return undefined;
  return url;
}
