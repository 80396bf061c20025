import { z } from 'zod';

/**
 * A channel's name (`wecom`, `dingtalk`, `wecom-kf` …): the channel registry in libs/pipeline knows which
 * exist. It is part of conversation ids and Redis keys, so it is kept to a safe alphabet.
 */
export const ChannelSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'channel: a lower-case letter, then lower-case letters, digits or - (at most 32)');
export type Channel = z.infer<typeof ChannelSchema>;

/**
 * Where a reply to this conversation goes, in the channel's own terms: the channel's `replyTargetSchema`
 * holds the rest and is checked by its sender. Loose here, so queued jobs and stored escalations of every
 * channel (those queued before the channel port included) parse unchanged.
 */
export const ReplyTargetSchema = z.looseObject({ channel: ChannelSchema });
export type ReplyTarget = z.infer<typeof ReplyTargetSchema>;

export const MessageKindSchema = z.enum(['text', 'voice', 'image', 'event', 'other']);
export type MessageKind = z.infer<typeof MessageKindSchema>;

/**
 * One message from any channel, normalized by the gateway. It is the payload of the inbound queue, so
 * its shape is a persisted contract: add optional fields only.
 */
export const InboundMessageSchema = z.object({
  /** Stable across redeliveries of the same platform message: the dedupe key and the job id. */
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  channel: ChannelSchema,
  botId: z.string().min(1),
  /** The platform's message id, kept as a string (WeCom MsgId is a 64-bit integer). Null for events. */
  platformMessageId: z.string().nullable(),
  /** One conversation per asker per bot (and per group, for group chats). */
  conversationId: z.string().min(1),
  chatType: z.enum(['direct', 'group']),
  senderId: z.string().min(1),
  kind: MessageKindSchema,
  /** The question text; voice carries its recognition text; empty for other kinds. */
  text: z.string(),
  /** Event name for kind = event (subscribe, enter_agent, …). */
  event: z.string().optional(),
  /** Platform's send time and our receive time, epoch milliseconds. */
  sentAt: z.number().int(),
  receivedAt: z.number().int(),
  replyTarget: ReplyTargetSchema,
  /** W3C trace context of the callback that brought it (traceparent/tracestate). */
  trace: z.record(z.string(), z.string()).optional(),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/** A reply on its way out. `id` derives from the inbound message, so it is sent at most once. */
export const OutboundReplySchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  botId: z.string().min(1),
  inReplyTo: z.string(),
  target: ReplyTargetSchema,
  text: z.string().min(1),
  /** Set for an agent's reply: whose delivery status the console shows. */
  track: z.object({ conversationId: z.string(), entryId: z.string() }).optional(),
  trace: z.record(z.string(), z.string()).optional(),
});
export type OutboundReply = z.infer<typeof OutboundReplySchema>;

export function replyIdFor(inboundId: string): string {
  return `reply-${inboundId}`;
}
