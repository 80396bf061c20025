import { computeSignature, encryptMessage, parseCallbackQuery } from '@answerbridge/channel-wecom';
import type { RejectedInputError } from '@answerbridge/core';
import { describe, expect, it } from 'vitest';
import { testKfBot } from './fake-kf-api';
import { openKfCallback, verifyKfCallbackUrl } from './kf-callback';

const bot = testKfBot();
const now = 1_700_000_000_000;
const check = { nowMs: now, maxSkewSeconds: 300 };
const timestamp = String(now / 1000);

function callback(
  plaintext: string,
  options: { token?: string; timestamp?: string; envelope?: (e: string) => string } = {},
) {
  const encrypted = encryptMessage(bot.encodingAesKey, plaintext, bot.corpId);
  const ts = options.timestamp ?? timestamp;
  const signature = computeSignature(options.token ?? bot.token, ts, '123456', encrypted);
  const query = parseCallbackQuery(`msg_signature=${signature}&timestamp=${ts}&nonce=123456`);
  const body =
    options.envelope?.(encrypted) ??
    `<xml><ToUserName><![CDATA[${bot.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`;
  return { query, body };
}

const kfEvent = (token: string, openKfId = 'wkTESTACCOUNT') =>
  `<xml><ToUserName><![CDATA[${bot.corpId}]]></ToUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
  `<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[${token}]]></Token><OpenKfId><![CDATA[${openKfId}]]></OpenKfId></xml>`;

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as RejectedInputError;
  }
  throw new Error('not refused');
};

describe('openKfCallback', () => {
  it('reads the account and the sync token of a kf_msg_or_event callback (the docs example)', () => {
    const { query, body } = callback(kfEvent('ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR'));
    expect(openKfCallback(bot, query, body, check)).toEqual({
      openKfId: 'wkTESTACCOUNT',
      token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR',
    });
  });

  it('accepts the older callback without OpenKfId (the URL bot’s account is used)', () => {
    const plain = kfEvent('T').replace(/<OpenKfId>.*<\/OpenKfId>/, '');
    const { query, body } = callback(plain);
    expect(openKfCallback(bot, query, body, check)).toEqual({ openKfId: undefined, token: 'T' });
  });

  it('ignores other events of the same app', () => {
    const { query, body } = callback(
      `<xml><ToUserName><![CDATA[${bot.corpId}]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event></xml>`,
    );
    expect(openKfCallback(bot, query, body, check)).toBeNull();
  });

  it('refuses a bad signature, a stale timestamp and another corp', () => {
    const bad = callback(kfEvent('T'), { token: 'not-the-token' });
    expect(refusal(() => openKfCallback(bot, bad.query, bad.body, check))).toMatchObject({
      code: 'WECOM_KF.BAD_SIGNATURE',
      status: 401,
    });
    const stale = callback(kfEvent('T'), { timestamp: String(now / 1000 - 3_600) });
    expect(refusal(() => openKfCallback(bot, stale.query, stale.body, check))).toMatchObject({
      code: 'WECOM_KF.STALE_TIMESTAMP',
    });
    const other = testKfBot({ corpId: 'wwOTHER' });
    const ok = callback(kfEvent('T'));
    expect(refusal(() => openKfCallback(other, ok.query, ok.body, check))).toMatchObject({
      code: 'WECOM_KF.RECEIVE_ID_MISMATCH',
    });
  });

  it('refuses a hostile envelope before checking anything else: DTDs, deep nesting, oversize', () => {
    const dtd = callback(kfEvent('T'), {
      envelope: (e) => `<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt><![CDATA[${e}]]></Encrypt></xml>`,
    });
    expect(refusal(() => openKfCallback(bot, dtd.query, dtd.body, check))).toMatchObject({
      code: 'WECOM_KF.BAD_XML',
      status: 400,
    });
    const nested = callback(kfEvent('T'), {
      envelope: (e) => `<xml>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}<Encrypt><![CDATA[${e}]]></Encrypt></xml>`,
    });
    expect(refusal(() => openKfCallback(bot, nested.query, nested.body, check))).toMatchObject({
      code: 'WECOM_KF.BAD_XML',
    });
    const huge = callback(kfEvent('T'), {
      envelope: (e) =>
        `<xml><ToUserName>${'x'.repeat(2_000_000)}</ToUserName><Encrypt><![CDATA[${e}]]></Encrypt></xml>`,
    });
    expect(refusal(() => openKfCallback(bot, huge.query, huge.body, check))).toMatchObject({
      code: 'WECOM_KF.BAD_XML',
    });
  });

  it('refuses a signed message whose XML is deeply nested or whose token is oversize', () => {
    const deep = callback(`<xml>${'<a>'.repeat(50)}x${'</a>'.repeat(50)}</xml>`);
    expect(refusal(() => openKfCallback(bot, deep.query, deep.body, check))).toMatchObject({
      code: 'WECOM_KF.BAD_XML',
    });
    const longToken = callback(kfEvent('T'.repeat(300)));
    expect(refusal(() => openKfCallback(bot, longToken.query, longToken.body, check))).toMatchObject({
      code: 'WECOM_KF.BAD_MESSAGE',
    });
  });
});

describe('verifyKfCallbackUrl', () => {
  it('answers the decrypted echo of a signed check, and refuses an unsigned one', () => {
    const echostr = encryptMessage(bot.encodingAesKey, 'echo-1700000000', bot.corpId);
    const signature = computeSignature(bot.token, timestamp, '42', echostr);
    const query = parseCallbackQuery(
      `msg_signature=${signature}&timestamp=${timestamp}&nonce=42&echostr=${encodeURIComponent(echostr)}`,
      { requireEchostr: true },
    );
    expect(verifyKfCallbackUrl(bot, query, check)).toBe('echo-1700000000');
    expect(refusal(() => verifyKfCallbackUrl({ ...bot, token: 'other' }, query, check))).toMatchObject({
      code: 'WECOM_KF.BAD_SIGNATURE',
    });
  });
});
