import { createHmac, timingSafeEqual } from 'node:crypto';

/** HTTP-mode robot signature: base64(HMAC-SHA256(key = appSecret, timestamp + "\n" + appSecret)). */
export function dingTalkSign(timestamp: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(`${timestamp}\n${appSecret}`).digest('base64');
}

export function verifyDingTalkSign(sign: string, timestamp: string, appSecret: string): boolean {
  const expected = Buffer.from(dingTalkSign(timestamp, appSecret));
  const given = Buffer.from(sign);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
