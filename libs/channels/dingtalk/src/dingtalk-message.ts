import { createHash } from 'node:crypto';
import type { DingTalkBotConfig } from './dingtalk-bot';
import { RejectedInputError, type InboundMessage, type MessageKind } from '@answerbridge/core';
import { z } from 'zod';
import { SESSION_WEBHOOK_MAX_LIFE_MS, allowedSessionWebhook } from './session-webhook';

/** The robot message (Stream `data`, or the HTTP-mode body), as far as we read it. Unknown fields pass. */
const RobotMessageSchema = z
  .object({
    msgId: z.string().min(1).max(256),
    msgtype: z.string().min(1),
    conversationId: z.string().min(1),
    conversationType: z.enum(['1', '2']),
    senderId: z.string().min(1),
    senderStaffId: z.string().optional(),
    senderNick: z.string().optional(),
    robotCode: z.string().optional(),
    isInAtList: z.boolean().optional(),
    // Any string: whether it may be used is allowedSessionWebhook's decision, and a refused one is dropped, not the message.
    sessionWebhook: z.string().max(4096).optional(),
    sessionWebhookExpiredTime: z.number().optional(),
    createAt: z.number().optional(),
    text: z.object({ content: z.string() }).optional(),
    content: z
      .object({
        recognition: z.string().optional(),
        richText: z.array(z.object({ text: z.string().optional() }).passthrough()).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type RobotMessage = z.infer<typeof RobotMessageSchema>;

export type ParsedRobotMessage =
  | {
      message: InboundMessage;
      /** The body's sessionWebhook was not used (the reply goes through the OpenAPI): where it pointed and why. */
      refusedSessionWebhook?: { origin: string | null; reason: string };
    }
  | { ignored: string };

export interface NormalizeOptions {
  nowMs: number;
  /** DINGTALK_WEBHOOK_ORIGINS: the only origins a reply may be posted to through the message's sessionWebhook. */
  webhookOrigins: readonly string[];
  /**
   * HTTP mode: the body is not covered by the signature, so it must name our robot; a body without a
   * robotCode is refused too. Stream frames come over a socket opened with the app's own credentials, so
   * there only a robotCode that names another robot is refused.
   */
  requireRobotCode: boolean;
}

/** Parses the robot message JSON; anything malformed is a RejectedInputError (400). */
export function parseRobotMessage(json: unknown): RobotMessage {
  const parsed = RobotMessageSchema.safeParse(json);
  if (!parsed.success)
    throw new RejectedInputError(
      'DINGTALK.BAD_MESSAGE',
      `robot message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      400,
    );
  return parsed.data;
}

function textOf(m: RobotMessage, robotName: string | undefined): { kind: MessageKind; text: string } {
  let text = '';
  let kind: MessageKind = 'other';
  if (m.msgtype === 'text') {
    kind = 'text';
    text = m.text?.content ?? '';
  } else if (m.msgtype === 'richText') {
    kind = 'text';
    text = (m.content?.richText ?? []).map((p) => p.text ?? '').join('');
  } else if (m.msgtype === 'audio') {
    kind = 'voice';
    text = m.content?.recognition ?? '';
  } else if (m.msgtype === 'picture') kind = 'image';
  text = text.trim();
  // DingTalk usually removes the bot's own @name and leaves a leading space; rich text keeps it.
  if (robotName) {
    const at = `@${robotName}`;
    while (text.startsWith(at)) text = text.slice(at.length).trim();
  }
  return { kind, text };
}

/**
 * Normalizes a robot message. Group messages that do not @ the bot are ignored; each person in a group
 * has their own conversation; ids are hashed because msgId holds base64 characters a job id cannot.
 */
export function normalizeRobotMessage(
  bot: DingTalkBotConfig,
  m: RobotMessage,
  options: NormalizeOptions,
): ParsedRobotMessage {
  const { nowMs } = options;
  const robotCode = bot.robotCode ?? bot.clientId;
  if (options.requireRobotCode && !m.robotCode) {
    throw new RejectedInputError(
      'DINGTALK.MISSING_ROBOT_CODE',
      `the message names no robotCode; DingTalk always sends this bot's (${robotCode}), so the body is refused`,
      403,
    );
  }
  if (m.robotCode && m.robotCode !== robotCode)
    throw new RejectedInputError(
      'DINGTALK.UNKNOWN_ROBOT',
      `message is for another robot (robotCode is not ${robotCode})`,
      403,
    );
  const group = m.conversationType === '2';
  if (group && m.isInAtList === false) return { ignored: 'group message not addressed to the bot' };
  const person = m.senderStaffId || m.senderId;
  const { kind, text } = textOf(m, bot.robotName);
  const key = createHash('sha256').update(m.msgId).digest('hex').slice(0, 32);
  const webhook =
    m.sessionWebhook === undefined ? undefined : allowedSessionWebhook(m.sessionWebhook, options.webhookOrigins);
  return {
    message: {
      id: `dingtalk-${bot.id}-${key}`,
      channel: 'dingtalk',
      botId: bot.id,
      platformMessageId: m.msgId,
      conversationId: group ? `dingtalk/${bot.id}/${m.conversationId}/${person}` : `dingtalk/${bot.id}/${person}`,
      chatType: group ? 'group' : 'direct',
      senderId: person,
      kind,
      text,
      sentAt: m.createAt ?? nowMs,
      receivedAt: nowMs,
      replyTarget: {
        channel: 'dingtalk',
        robotCode,
        chatType: group ? 'group' : 'direct',
        ...(group ? { openConversationId: m.conversationId } : {}),
        staffId: person,
        ...(webhook && 'url' in webhook
          ? {
              sessionWebhook: webhook.url,
              ...(m.sessionWebhookExpiredTime
                ? {
                    sessionWebhookExpiresAt: Math.min(m.sessionWebhookExpiredTime, nowMs + SESSION_WEBHOOK_MAX_LIFE_MS),
                  }
                : {}),
            }
          : {}),
      },
    },
    ...(webhook && 'refused' in webhook
      ? { refusedSessionWebhook: { origin: webhook.origin, reason: webhook.refused } }
      : {}),
  };
}
