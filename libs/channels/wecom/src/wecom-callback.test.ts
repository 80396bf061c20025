import { describe, expect, it } from 'vitest';
import type { WecomBotConfig } from './wecom-bot';
import { RejectedInputError } from '@answerbridge/core';
import { computeSignature, encryptMessage } from './wecom-crypto';
import { openCallback, parseCallbackQuery, verifyCallbackUrl } from './wecom-callback';

const bot: WecomBotConfig = {
  id: 'v1',
  channel: 'wecom',
  language: 'zh',
  corpId: 'ww1436e0e65a779aee',
  agentId: 1000002,
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  secret: 's',
};
const official = {
  query: 'msg_signature=0c3914025cb4b4d68103f6bfc8db550f79dcf48e&timestamp=1476422779&nonce=1597212914',
  body: '<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>',
};
const at = (ts: number) => ({ nowMs: ts * 1000, maxSkewSeconds: 300 });

function signed(plaintext: string, timestamp: number) {
  const encrypted = encryptMessage(bot.encodingAesKey, plaintext, bot.corpId);
  const sig = computeSignature(bot.token, String(timestamp), 'n1', encrypted);
  return {
    query: parseCallbackQuery(`msg_signature=${sig}&timestamp=${timestamp}&nonce=n1`),
    body: `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
  };
}

describe('openCallback', () => {
  it('normalizes the official POST vector', () => {
    const message = openCallback(bot, parseCallbackQuery(official.query), official.body, at(1476422779));
    expect(message).toMatchObject({
      id: 'wecom-v1-1456453720',
      channel: 'wecom',
      platformMessageId: '1456453720',
      senderId: 'ChenJiaShun',
      kind: 'text',
      text: '你好',
      chatType: 'direct',
      sentAt: 1476422779000,
      replyTarget: { channel: 'wecom', toUser: 'ChenJiaShun', agentId: 1000002 },
    });
  });

  it('keeps a MsgId beyond 2^53 exact', () => {
    const ts = 1_700_000_000;
    const { query, body } = signed(
      '<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>4561255354251345929</MsgId></xml>',
      ts,
    );
    expect(openCallback(bot, query, body, at(ts)).platformMessageId).toBe('4561255354251345929');
  });

  it('keys events without MsgId on a hash of the plaintext, so two events in one second differ', () => {
    const ts = 1_700_000_000;
    const a = signed(
      `<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>click</Event><EventKey>A</EventKey><CreateTime>${ts}</CreateTime></xml>`,
      ts,
    );
    const b = signed(
      `<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>click</Event><EventKey>B</EventKey><CreateTime>${ts}</CreateTime></xml>`,
      ts,
    );
    const ma = openCallback(bot, a.query, a.body, at(ts));
    const mb = openCallback(bot, b.query, b.body, at(ts));
    expect(ma.kind).toBe('event');
    expect(ma.event).toBe('click');
    expect(ma.id).not.toBe(mb.id);
    expect(openCallback(bot, a.query, a.body, at(ts)).id).toBe(ma.id);
  });

  it('takes the recognition text of a voice message as the question', () => {
    const ts = 1_700_000_000;
    const { query, body } = signed(
      '<xml><FromUserName>u</FromUserName><MsgType>voice</MsgType><Recognition>年假有几天</Recognition><MsgId>1</MsgId></xml>',
      ts,
    );
    expect(openCallback(bot, query, body, at(ts))).toMatchObject({ kind: 'voice', text: '年假有几天' });
  });

  it('refuses a message for another agent of the same corp', () => {
    const ts = 1_700_000_000;
    const { query, body } = signed(
      '<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>x</Content><AgentID>999</AgentID></xml>',
      ts,
    );
    expect(() => openCallback(bot, query, body, at(ts))).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('refuses the official vector outside the time window', () => {
    expect(() => openCallback(bot, parseCallbackQuery(official.query), official.body, at(1476422779 + 301))).toThrow(
      expect.objectContaining({ code: 'WECOM.STALE_TIMESTAMP', status: 401 }),
    );
  });
});

describe('openCallback before the signature is checked (issue 10: pre-auth work linear and capped)', () => {
  const ts = 1_700_000_000;
  const unsigned = parseCallbackQuery(`msg_signature=${'0'.repeat(40)}&timestamp=${ts}&nonce=n1`);
  const refusal = (body: string) => {
    try {
      openCallback(bot, unsigned, body, at(ts));
    } catch (error) {
      return error as RejectedInputError;
    }
    throw new Error('accepted an unsigned body');
  };

  it('refuses an unsigned 64 KB body of 16,000 <a/> by the envelope cap, having read only its start', () => {
    const attack = `<xml><Encrypt><![CDATA[${'A'.repeat(64)}]]></Encrypt>${'<a/>'.repeat(16_000)}</xml>`;
    expect(attack.length).toBeLessThanOrEqual(64 * 1024);
    const error = refusal(attack);
    expect(error).toMatchObject({ code: 'WECOM.BAD_XML', status: 400 });
    expect(error.message).toMatch(/more than 16 fields/);
    const readUpTo = Number(/at offset (\d+)/.exec(error.message)?.[1]);
    expect(readUpTo).toBeLessThan(200);
    // Doubling the body does not move where (or whether) it is refused.
    expect(refusal(attack.replace('</xml>', `${'<a/>'.repeat(16_000)}</xml>`)).message).toBe(error.message);
  });

  it('checks the timestamp before reading the body at all', () => {
    const stale = parseCallbackQuery(`msg_signature=${'0'.repeat(40)}&timestamp=${ts - 3600}&nonce=n1`);
    expect(() => openCallback(bot, stale, `<xml>${'<a/>'.repeat(16_000)}</xml>`, at(ts))).toThrow(
      expect.objectContaining({ code: 'WECOM.STALE_TIMESTAMP' }),
    );
  });

  it("refuses a hostile but authentic message by the full parser's element cap", () => {
    const { query, body } = signed(
      `<xml><FromUserName>u</FromUserName><MsgType>text</MsgType>${'<a/>'.repeat(2_000)}</xml>`,
      ts,
    );
    expect(() => openCallback(bot, query, body, at(ts))).toThrow(
      expect.objectContaining({ code: 'WECOM.BAD_XML', message: expect.stringMatching(/more than 256 elements/) }),
    );
  });

  it('still verifies the signature over <Encrypt> exactly (a tampered ciphertext is refused)', () => {
    const good = signed(
      '<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>7</MsgId></xml>',
      ts,
    );
    expect(openCallback(bot, good.query, good.body, at(ts)).text).toBe('hi');
    const tampered = good.body.replace(/CDATA\[(.)/, (_m, c: string) => `CDATA[${c === 'A' ? 'B' : 'A'}`);
    expect(() => openCallback(bot, good.query, tampered, at(ts))).toThrow(
      expect.objectContaining({ code: 'WECOM.BAD_SIGNATURE' }),
    );
  });
});

describe('URL verification and query parsing', () => {
  it('verifies the official GET vector, keeping "+" in echostr', () => {
    const query = parseCallbackQuery(
      'msg_signature=012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb&timestamp=1476416373&nonce=47744683&echostr=fsi1xnbH4yQh0%2BPJxcOdhhK6TDXkjMyhEPA7xB2TGz6b%2Bg7xyAbEkRxN%2F3cNXW9qdqjnoVzEtpbhnFyq6SVHyA%3D%3D',
      { requireEchostr: true },
    );
    expect(verifyCallbackUrl(bot, query, at(1476416373))).toBe('1288432023552776189');
  });

  it('refuses bad percent-encoding and missing parameters with clear errors', () => {
    expect(() => parseCallbackQuery('msg_signature=%E0%A4%A&timestamp=1&nonce=1')).toThrow(RejectedInputError);
    expect(() => parseCallbackQuery('timestamp=1&nonce=1')).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => parseCallbackQuery('msg_signature=a&timestamp=abc&nonce=1')).toThrow(
      expect.objectContaining({ code: 'WECOM.BAD_TIMESTAMP' }),
    );
    expect(() => parseCallbackQuery('msg_signature=a&timestamp=1&nonce=1', { requireEchostr: true })).toThrow(
      expect.objectContaining({ code: 'WECOM.MISSING_ECHOSTR' }),
    );
  });
});
