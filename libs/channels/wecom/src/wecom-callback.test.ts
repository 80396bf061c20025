import { describe, expect, it } from 'vitest';
import type { WecomBotConfig } from '@answerbridge/config';
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
  return { query: parseCallbackQuery(`msg_signature=${sig}&timestamp=${timestamp}&nonce=n1`, false), body: `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>` };
}

describe('openCallback', () => {
  it('normalizes the official POST vector', () => {
    const message = openCallback(bot, parseCallbackQuery(official.query, false), official.body, at(1476422779));
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
    const { query, body } = signed('<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>4561255354251345929</MsgId></xml>', ts);
    expect(openCallback(bot, query, body, at(ts)).platformMessageId).toBe('4561255354251345929');
  });

  it('keys events without MsgId on a hash of the plaintext, so two events in one second differ', () => {
    const ts = 1_700_000_000;
    const a = signed(`<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>click</Event><EventKey>A</EventKey><CreateTime>${ts}</CreateTime></xml>`, ts);
    const b = signed(`<xml><FromUserName>u</FromUserName><MsgType>event</MsgType><Event>click</Event><EventKey>B</EventKey><CreateTime>${ts}</CreateTime></xml>`, ts);
    const ma = openCallback(bot, a.query, a.body, at(ts));
    const mb = openCallback(bot, b.query, b.body, at(ts));
    expect(ma.kind).toBe('event');
    expect(ma.event).toBe('click');
    expect(ma.id).not.toBe(mb.id);
    expect(openCallback(bot, a.query, a.body, at(ts)).id).toBe(ma.id);
  });

  it('takes the recognition text of a voice message as the question', () => {
    const ts = 1_700_000_000;
    const { query, body } = signed('<xml><FromUserName>u</FromUserName><MsgType>voice</MsgType><Recognition>年假有几天</Recognition><MsgId>1</MsgId></xml>', ts);
    expect(openCallback(bot, query, body, at(ts))).toMatchObject({ kind: 'voice', text: '年假有几天' });
  });

  it('refuses a message for another agent of the same corp', () => {
    const ts = 1_700_000_000;
    const { query, body } = signed('<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>x</Content><AgentID>999</AgentID></xml>', ts);
    expect(() => openCallback(bot, query, body, at(ts))).toThrow(expect.objectContaining({ status: 403 }));
  });

  it('refuses the official vector outside the time window', () => {
    expect(() => openCallback(bot, parseCallbackQuery(official.query, false), official.body, at(1476422779 + 301))).toThrow(
      expect.objectContaining({ code: 'WECOM.STALE_TIMESTAMP', status: 401 }),
    );
  });
});

describe('URL verification and query parsing', () => {
  it('verifies the official GET vector, keeping "+" in echostr', () => {
    const query = parseCallbackQuery(
      'msg_signature=012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb&timestamp=1476416373&nonce=47744683&echostr=fsi1xnbH4yQh0%2BPJxcOdhhK6TDXkjMyhEPA7xB2TGz6b%2Bg7xyAbEkRxN%2F3cNXW9qdqjnoVzEtpbhnFyq6SVHyA%3D%3D',
      true,
    );
    expect(verifyCallbackUrl(bot, query, at(1476416373))).toBe('1288432023552776189');
  });

  it('refuses bad percent-encoding and missing parameters with clear errors', () => {
    expect(() => parseCallbackQuery('msg_signature=%E0%A4%A&timestamp=1&nonce=1', false)).toThrow(RejectedInputError);
    expect(() => parseCallbackQuery('timestamp=1&nonce=1', false)).toThrow(expect.objectContaining({ status: 401 }));
    expect(() => parseCallbackQuery('msg_signature=a&timestamp=abc&nonce=1', false)).toThrow(expect.objectContaining({ code: 'WECOM.BAD_TIMESTAMP' }));
    expect(() => parseCallbackQuery('msg_signature=a&timestamp=1&nonce=1', true)).toThrow(expect.objectContaining({ code: 'WECOM.MISSING_ECHOSTR' }));
  });
});
