import { describe, expect, it } from 'vitest';
import { computeSignature } from '@answerbridge/channel-wecom';
import { openAibotCallback, openAibotReply, sealAibotReply, verifyAibotUrl } from './aibot-envelope';
import { parseAibotCallback } from './aibot-callback';

// docs/protocols/wecom-aibot-kf.md §1.8: the official JSON-callback sample (V2) and the aibot vectors (V3).
const keys = { token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const at = (ts: string) => ({ nowMs: Number(ts) * 1000, maxSkewSeconds: 300 });
const q = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

describe('AI bot callback crypto, on the protocol notes test vectors', () => {
  it('V2 VerifyURL: the official sample echostr decrypts to 1616140317555161061 (receive id "" accepts its trailer)', () => {
    const query = q({
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    });
    expect(verifyAibotUrl(keys, query, at('1409659589'))).toBe('1616140317555161061');
  });

  it('V2 DecryptMsg: the official JSON envelope (extra fields and all) opens to its 164-byte message', () => {
    const body =
      '{"tousername":"wx5823bf96d3bd56c7","encrypt":"CZWs4CWRpI4VolQlvn4dlEC1alN2MUEY2VklGehgBVLBrlVF7SyT+SV+Toj43l4ayJ9UMGKphktKKmP7B2j/P1ey67XB8PBgS7Wr5/8+w/yWriZv3Vmoo/MH3/1HsIWZrPQ3N2mJrelStIfI2Y8kLKXA7EhfZgZX4o+ffdkZDM76SEl79Ib9mw7TGjZ9Aw/x/A2VjNbV1E8BtEbRxYYcQippYNw7hr8sFfa3nW1xLdxokt8QkRX83vK3DFP2F6TQFPL2Tu98UwhcUpPvdJBuu1/yiOQIScppV3eOuLWEsko=","agentid":"218"}';
    const query = q({
      msg_signature: '0623cbc5a8cbee5bcc137c70de99575366fc2af3',
      timestamp: '1409659813',
      nonce: '1372623149',
    });
    const { plaintext } = openAibotCallback(keys, query, body, at('1409659813'));
    expect(Buffer.byteLength(plaintext)).toBe(164);
    expect(plaintext).toContain('"Content":"hello","MsgId":4561255354251345929');
  });

  const v3Encrypt =
    'O35k5OBWtox4zPvadT0Ql8AYGFYEK0Ppz9WWZXgejZNUAMgQR45Juy9eimqFR3Wew1Xq/gDRp7SKYiMns4FMh2VHCmuQrd3YLNBiYqtNB/Mx+XSY7ACJOhQN35lbTv+6eZpyx41oOo5NuktZhLrpmgbtS8xxROWaXnWmoP6YlF4acqwNkQT2wNp42u1lkQJSpPCJ12fiamNVxT3oXSsLtqp5iFR348fs6yrKkmm9HyHPk/vFTWIC8cMP/JqjYymDm8Bu1RIUB3mi8UBKy5aixYediYc9b14lgrLlUBCiSRp+xSgxJ+3nh0I2Wa7MJMTGUCxS1SQzFO3h2EpvUhR8XQ==';
  const v3Query = q({
    msg_signature: '5d9f7de49d3ecd3f8996398f069afd84f7910f4a',
    timestamp: '1700000000',
    nonce: '1234567890',
  });

  it('V3 inbound: the group @mention callback opens, parses, and its signature is the one computed', () => {
    expect(computeSignature(keys.token, '1700000000', '1234567890', v3Encrypt)).toBe(
      '5d9f7de49d3ecd3f8996398f069afd84f7910f4a',
    );
    const { plaintext } = openAibotCallback(keys, v3Query, JSON.stringify({ encrypt: v3Encrypt }), at('1700000000'));
    const callback = parseAibotCallback(plaintext);
    expect(callback).toMatchObject({
      msgid: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
      chattype: 'group',
      chatid: 'CHATID',
      from: { userid: 'USERID' },
      text: { content: '@RobotA hello robot' },
    });
  });

  it('V3 reply: sealing the placeholder with the vector random reproduces its encrypt and msgsignature', () => {
    const plaintext = '{"msgtype":"stream","stream":{"id":"STREAMID","finish":false,"content":"正在查询…"}}';
    const sealed = JSON.parse(
      sealAibotReply(keys, plaintext, '1700000000', '1234567890', Buffer.from('aibotvector00002')),
    ) as Record<string, unknown>;
    expect(sealed).toEqual({
      encrypt:
        'xTMvFg/lxYlpXmsukjmJRiJ7WEoNBBs+Ij+hGNiYHowiieZj1P8wQGs1ENQpcJRo7NQGXJplGnyyXp7Thf71XMC0cTvEcL0cv6UyBsUXyKUeYr+Nu084kzrTAo3idznX9NXHCaiXxIz04v37tl5G6Zz66NA+89k1HJFeR+2lPfM=',
      msgsignature: '0df6f6c3247afda24908d260aed0dedb3b5c592d',
      // A string, as the official libraries send it, and the callback's own nonce.
      timestamp: '1700000000',
      nonce: '1234567890',
    });
    expect(openAibotReply(keys, JSON.stringify(sealed))).toBe(plaintext);
  });

  it('V3 echo: the URL check answers the bare plaintext', () => {
    const query = q({
      msg_signature: '277c43ce8ca16a7b0b576853a95de1e8b0ddf252',
      timestamp: '1700000000',
      nonce: '1234567890',
      echostr: 'lX9uzk5rveIGNSH0tECLIb0fMvrRBu1f3KKi3sPPHW4F+x74eJBKLHYPJtIhGoeqTn8E7XDK56B9Id8axhPLyQ==',
    });
    expect(verifyAibotUrl(keys, query, at('1700000000'))).toBe('echo-plain-1700000000');
  });

  it('refuses a bad signature, a stale timestamp, a wrong envelope, before decrypting anything', () => {
    const body = JSON.stringify({ encrypt: v3Encrypt });
    const badSig = v3Query.replace('5d9f7de4', '5d9f7de5');
    expect(() => openAibotCallback(keys, badSig, body, at('1700000000'))).toThrow(
      expect.objectContaining({ code: 'AIBOT.BAD_SIGNATURE', status: 401 }),
    );
    expect(() => openAibotCallback(keys, v3Query, body, at('1700009999'))).toThrow(
      expect.objectContaining({ code: 'AIBOT.STALE_TIMESTAMP', status: 401 }),
    );
    expect(() => openAibotCallback(keys, v3Query, '<xml/>', at('1700000000'))).toThrow(
      expect.objectContaining({ code: 'AIBOT.BAD_JSON', status: 400 }),
    );
    expect(() => openAibotCallback(keys, v3Query, '{"encrypt":5}', at('1700000000'))).toThrow(
      expect.objectContaining({ code: 'AIBOT.BAD_ENVELOPE', status: 400 }),
    );
    expect(() => openAibotCallback(keys, v3Query, `${'['.repeat(50_000)}`, at('1700000000'))).toThrow(
      expect.objectContaining({ code: 'AIBOT.TOO_DEEP', status: 400 }),
    );
  });
});
