import type { DingTalkBotConfig } from '@answerbridge/config';
import { RejectedInputError } from '@answerbridge/core';
import { verifyDingtalkSign } from './dingtalk-signature';
import { normalizeRobotMessage, parseRobotMessage, type ParsedRobotMessage } from './dingtalk-message';

/**
 * HTTP callback mode: `timestamp` (ms) and `sign` headers, checked before the body is even parsed.
 * The signature does not cover the body, so dedupe by msgId is what stops a replay within the hour.
 */
export function openHttpCallback(
  bot: DingTalkBotConfig,
  headers: { timestamp?: string; sign?: string },
  body: string,
  options: { nowMs: number; maxSkewSeconds: number },
): ParsedRobotMessage {
  const { timestamp, sign } = headers;
  if (!timestamp || !sign) throw new RejectedInputError('DINGTALK.MISSING_SIGNATURE', 'timestamp and sign headers are required', 401);
  if (!/^\d{10,16}$/.test(timestamp)) throw new RejectedInputError('DINGTALK.BAD_TIMESTAMP', 'timestamp must be epoch milliseconds', 401);
  if (Math.abs(options.nowMs - Number(timestamp)) > options.maxSkewSeconds * 1000) {
    throw new RejectedInputError('DINGTALK.STALE_TIMESTAMP', 'timestamp is more than the allowed window away from now', 401);
  }
  if (!verifyDingtalkSign(sign, timestamp, bot.clientSecret)) throw new RejectedInputError('DINGTALK.BAD_SIGNATURE', 'sign does not match', 401);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RejectedInputError('DINGTALK.BAD_JSON', 'body is not JSON', 400);
  }
  return normalizeRobotMessage(bot, parseRobotMessage(json), options.nowMs);
}
