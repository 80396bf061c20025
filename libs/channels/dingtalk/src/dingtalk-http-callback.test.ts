import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DingTalkBotConfig } from './dingtalk-bot';
import { InMemoryKeyValueStore, RejectedInputError } from '@answerbridge/core';
import { dingTalkSign } from './dingtalk-signature';
import { openHttpCallback } from './dingtalk-http-callback';
import { SignatureLedger } from './signature-ledger';

const bot: DingTalkBotConfig = {
  id: 'dt',
  channel: 'dingtalk',
  clientId: 'dingabc',
  clientSecret: 'secret',
  mode: 'http',
  language: 'zh',
};
const now = 1_700_000_000_000;
const signedAt = (ms: number) => ({ timestamp: String(ms), sign: dingTalkSign(String(ms), bot.clientSecret) });
const options = (store = new InMemoryKeyValueStore(() => now)) => ({
  nowMs: now,
  maxSkewSeconds: 3600,
  webhookOrigins: ['https://oapi.dingtalk.com'],
  signatures: new SignatureLedger(store, 3600),
});
const message = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    msgId: 'msgA',
    msgtype: 'text',
    conversationId: 'cid1',
    conversationType: '1',
    senderId: '$:LWCP_v1:$a',
    senderStaffId: 'zhangsan',
    robotCode: 'dingabc',
    sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=s',
    sessionWebhookExpiredTime: now + 5_400_000,
    text: { content: '年假有几天' },
    ...over,
  });

describe('openHttpCallback under hostile input (fuzz)', () => {
  it('throws only RejectedInputError for arbitrary bodies, even correctly signed', async () => {
    const json = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
      fc
        .record({
          msgId: fc.string(),
          msgtype: fc.string(),
          conversationId: fc.string(),
          conversationType: fc.constantFrom('1', '2', '3'),
          senderId: fc.string(),
          robotCode: fc.constantFrom('dingabc', 'x'),
          sessionWebhook: fc.string(),
          text: fc.anything(),
        })
        .map((v) => JSON.stringify(v)),
    );
    let ms = now;
    await fc.assert(
      fc.asyncProperty(json, async (body) => {
        try {
          await openHttpCallback(bot, signedAt(ms++), body, options());
        } catch (error) {
          expect(error).toBeInstanceOf(RejectedInputError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('throws only RejectedInputError for arbitrary headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.string({ maxLength: 40 })),
        fc.option(fc.string({ maxLength: 80 })),
        async (timestamp, sign) => {
          try {
            await openHttpCallback(
              bot,
              { ...(timestamp === null ? {} : { timestamp }), ...(sign === null ? {} : { sign }) },
              '{}',
              options(),
            );
            expect.unreachable('an unsigned callback was accepted');
          } catch (error) {
            expect(error).toBeInstanceOf(RejectedInputError);
            expect((error as RejectedInputError).status).toBe(401);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses deeply nested JSON as bad input, not a crash', async () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    await expect(openHttpCallback(bot, signedAt(now), deep, options())).rejects.toThrow(RejectedInputError);
  });
});

describe('openHttpCallback: the signature does not cover the body', () => {
  it('accepts a signature with the message it first came with (again: a redelivery), and refuses it with any other body', async () => {
    const opts = options();
    const pair = signedAt(now - 60_000);
    const first = await openHttpCallback(bot, pair, message(), opts);
    expect('message' in first && first.message.senderId).toBe('zhangsan');
    // The same message again under the same pair: DingTalk redelivering it; dedupe by msgId handles it later.
    const again = await openHttpCallback(bot, pair, message(), opts);
    expect('message' in again && again.message.id).toBe('message' in first && first.message.id);
    // The captured pair with a body of the attacker's choosing.
    await expect(
      openHttpCallback(
        bot,
        pair,
        message({ msgId: 'msgForged', senderStaffId: 'victim-ceo', text: { content: '转人工' } }),
        opts,
      ),
    ).rejects.toMatchObject({ code: 'DINGTALK.SIGN_REUSED', status: 401 });
    // Another signature is another message.
    expect('message' in (await openHttpCallback(bot, signedAt(now - 999), message({ msgId: 'msgB' }), opts))).toBe(
      true,
    );
  });

  it('checks the headers before reading the body, so an unsigned body costs no parse and binds no signature', async () => {
    const opts = options();
    await expect(
      openHttpCallback(bot, { timestamp: String(now), sign: 'AAAA' }, '{not json', opts),
    ).rejects.toMatchObject({ code: 'DINGTALK.BAD_SIGNATURE' });
    expect('message' in (await openHttpCallback(bot, signedAt(now), message(), opts))).toBe(true);
  });

  it('refuses a body without our robotCode, and drops a sessionWebhook outside the allowed origins', async () => {
    const opts = options();
    await expect(
      openHttpCallback(bot, signedAt(now - 1), message({ robotCode: undefined }), opts),
    ).rejects.toMatchObject({ code: 'DINGTALK.MISSING_ROBOT_CODE', status: 403 });
    await expect(
      openHttpCallback(bot, signedAt(now - 2), message({ msgId: 'm2', robotCode: 'dingother' }), opts),
    ).rejects.toMatchObject({ code: 'DINGTALK.UNKNOWN_ROBOT', status: 403 });
    const ssrf = await openHttpCallback(
      bot,
      signedAt(now - 3),
      message({ msgId: 'm3', sessionWebhook: 'http://127.0.0.1:9/internal/admin' }),
      opts,
    );
    if (!('message' in ssrf)) throw new Error('ignored');
    expect(ssrf.message.replyTarget).not.toHaveProperty('sessionWebhook');
    expect(ssrf.refusedSessionWebhook).toMatchObject({ origin: 'http://127.0.0.1:9' });
  });
});

describe('SignatureLedger', () => {
  it('remembers a pair until it could no longer pass the skew check (plus a minute for replica clocks), then forgets it', async () => {
    let clock = now;
    const store = new InMemoryKeyValueStore(() => clock);
    const ledger = new SignatureLedger(store, 3600);
    const ts = String(now - 600_000); // ten minutes old: valid for 50 more
    expect(await ledger.claim('dt', ts, 'a', clock)).toBe('first');
    clock += 50 * 60_000 + 59_000;
    await expect(ledger.claim('dt', ts, 'b', clock)).rejects.toMatchObject({ code: 'DINGTALK.SIGN_REUSED' });
    expect(await ledger.claim('dt', ts, 'a', clock)).toBe('redelivery');
    clock += 2_000;
    expect(await store.get(`dingtalk-sign:dt:${ts}`)).toBeNull();
  });

  it('keeps bots apart: the same timestamp at two bots is two signatures', async () => {
    const ledger = new SignatureLedger(new InMemoryKeyValueStore(() => now), 3600);
    expect(await ledger.claim('dt', String(now), 'a', now)).toBe('first');
    expect(await ledger.claim('other', String(now), 'b', now)).toBe('first');
  });

  it('under concurrent claims of a pair seconds old by different messages, at most four win (genuine messages in one millisecond share a sign); of an older pair, exactly one', async () => {
    const ledger = new SignatureLedger(new InMemoryKeyValueStore(() => now), 3600);
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const fresh = await Promise.allSettled(ids.map((id) => ledger.claim('dt', String(now - 2_000), id, now)));
    expect(fresh.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    const old = await Promise.allSettled(ids.map((id) => ledger.claim('dt', String(now - 60_000), id, now)));
    expect(old.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    // Each one that got in is a redelivery when it comes again, whichever slot it took.
    for (const [i, r] of fresh.entries())
      if (r.status === 'fulfilled')
        expect(await ledger.claim('dt', String(now - 2_000), ids[i] ?? '', now + 30_000)).toBe('redelivery');
  });

  it('accepts two genuine messages signed in the same millisecond, and not a third body once the pair is no longer fresh', async () => {
    const ledger = new SignatureLedger(new InMemoryKeyValueStore(() => now), 3600);
    expect(await ledger.claim('dt', String(now), 'first-msg', now)).toBe('first');
    expect(await ledger.claim('dt', String(now), 'second-msg', now + 5)).toBe('first');
    await expect(ledger.claim('dt', String(now), 'forged', now + 11_000)).rejects.toMatchObject({
      code: 'DINGTALK.SIGN_REUSED',
    });
  });
});
