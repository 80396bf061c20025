import type { DingTalkBotConfig } from './dingtalk-bot';
import { RejectedInputError } from '@answerbridge/core';
import { verifyDingTalkSign } from './dingtalk-signature';
import { normalizeRobotMessage, parseRobotMessage, type ParsedRobotMessage } from './dingtalk-message';
import type { SignatureLedger } from './signature-ledger';

export interface HttpCallbackOptions {
  nowMs: number;
  maxSkewSeconds: number;
  /** DINGTALK_WEBHOOK_ORIGINS. */
  webhookOrigins: readonly string[];
  /** Binds each signature to the first message it came with (shared by every replica). */
  signatures: SignatureLedger;
}

/**
 * Checks the `timestamp` (ms) and `sign` headers before anything else: until they pass, the only work
 * done is a regex, a subtraction and one HMAC, whatever the body.
 */
export function verifyCallbackHeaders(
  bot: DingTalkBotConfig,
  headers: { timestamp?: string; sign?: string },
  options: { nowMs: number; maxSkewSeconds: number },
): { timestamp: string } {
  const { timestamp, sign } = headers;
  if (!timestamp || !sign)
    throw new RejectedInputError('DINGTALK.MISSING_SIGNATURE', 'timestamp and sign headers are required', 401);
  if (!/^\d{10,16}$/.test(timestamp))
    throw new RejectedInputError('DINGTALK.BAD_TIMESTAMP', 'timestamp must be epoch milliseconds', 401);
  if (Math.abs(options.nowMs - Number(timestamp)) > options.maxSkewSeconds * 1000) {
    throw new RejectedInputError(
      'DINGTALK.STALE_TIMESTAMP',
      'timestamp is more than the allowed window away from now',
      401,
    );
  }
  if (!verifyDingTalkSign(sign, timestamp, bot.clientSecret))
    throw new RejectedInputError('DINGTALK.BAD_SIGNATURE', 'sign does not match', 401);
  return { timestamp };
}

/**
 * HTTP callback mode. DingTalk's signature covers only the timestamp, never the body, so every body
 * field is untrusted: the signature is accepted with one message only (SignatureLedger), the body must
 * name our robot, and its sessionWebhook is used only when it points at an allowed origin.
 */
export async function openHttpCallback(
  bot: DingTalkBotConfig,
  headers: { timestamp?: string; sign?: string },
  body: string,
  options: HttpCallbackOptions,
): Promise<ParsedRobotMessage> {
  const { timestamp } = verifyCallbackHeaders(bot, headers, options);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RejectedInputError('DINGTALK.BAD_JSON', 'body is not JSON', 400);
  }
  const message = parseRobotMessage(json);
  // Bound before anything else is read from the body, so the first message a signature came with owns it.
  await options.signatures.claim(bot.id, timestamp, message.msgId, options.nowMs);
  return normalizeRobotMessage(bot, message, {
    nowMs: options.nowMs,
    webhookOrigins: options.webhookOrigins,
    requireRobotCode: true,
  });
}
