import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DingTalkBotConfig } from '@answerbridge/config';
import { RejectedInputError } from '@answerbridge/core';
import { dingtalkSign } from './dingtalk-signature';
import { openHttpCallback } from './dingtalk-http-callback';

const bot: DingTalkBotConfig = { id: 'dt', channel: 'dingtalk', clientId: 'dingabc', clientSecret: 'secret', mode: 'http', language: 'zh' };
const now = 1_700_000_000_000;
const signed = () => ({ timestamp: String(now), sign: dingtalkSign(String(now), bot.clientSecret) });

describe('openHttpCallback under hostile input (fuzz)', () => {
  it('throws only RejectedInputError for arbitrary bodies, even correctly signed', () => {
    const json = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
      fc.record({ msgId: fc.string(), msgtype: fc.string(), conversationId: fc.string(), conversationType: fc.constantFrom('1', '2', '3'), senderId: fc.string(), text: fc.anything() }).map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(json, (body) => {
        try {
          openHttpCallback(bot, signed(), body, { nowMs: now, maxSkewSeconds: 3600 });
        } catch (error) {
          expect(error).toBeInstanceOf(RejectedInputError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('throws only RejectedInputError for arbitrary headers', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 40 })), fc.option(fc.string({ maxLength: 80 })), (timestamp, sign) => {
        try {
          openHttpCallback(bot, { ...(timestamp === null ? {} : { timestamp }), ...(sign === null ? {} : { sign }) }, '{}', { nowMs: now, maxSkewSeconds: 3600 });
          expect.unreachable('an unsigned callback was accepted');
        } catch (error) {
          expect(error).toBeInstanceOf(RejectedInputError);
          expect((error as RejectedInputError).status).toBe(401);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses deeply nested JSON as bad input, not a crash', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(() => openHttpCallback(bot, signed(), deep, { nowMs: now, maxSkewSeconds: 3600 })).toThrow(RejectedInputError);
  });
});
