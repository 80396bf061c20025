import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSignature, encryptMessage } from '@answerbridge/channel-wecom';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * Every refusal the gateway promises, sent over HTTP to the real gateway: each gets its status code,
 * and nothing reaches the queue.
 */
describe('WeCom callbacks that must be refused', () => {
  let sut: SystemUnderTest;
  beforeAll(async () => {
    sut = await startSystem({ CALLBACK_MAX_SKEW_SECONDS: '300', GATEWAY_BODY_LIMIT_BYTES: '8192' });
  });
  afterAll(async () => {
    await sut?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);

  async function post(url: string, body: string, headers: Record<string, string> = { 'content-type': 'text/xml' }) {
    const res = await fetch(url, { method: 'POST', headers, body });
    return { status: res.status, json: (await res.json().catch(() => null)) as { error?: string } | null };
  }

  function signedEnvelope(encrypted: string, timestamp = now()) {
    const nonce = '1597212914';
    const signature = computeSignature(sut.bot.token, String(timestamp), nonce, encrypted);
    return {
      query: `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`,
      body: `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
    };
  }

  const cases: {
    name: string;
    status: number;
    code: string;
    send: () => Promise<{ status: number; json: { error?: string } | null }>;
  }[] = [
    {
      name: 'a wrong signature',
      status: 401,
      code: 'WECOM.BAD_SIGNATURE',
      send: async () => {
        const client = sut.simulator.wecomClient(sut.bot.id);
        const req = client.buildRequest(client.textMessageXml('u1', '你好'), { token: 'not-the-token' });
        return post(req.url, req.body);
      },
    },
    {
      name: 'a timestamp an hour old (a replay)',
      status: 401,
      code: 'WECOM.STALE_TIMESTAMP',
      send: async () => {
        const client = sut.simulator.wecomClient(sut.bot.id);
        const req = client.buildRequest(client.textMessageXml('u1', '你好'), { timestamp: now() - 3600 });
        return post(req.url, req.body);
      },
    },
    {
      name: 'a timestamp in the future',
      status: 401,
      code: 'WECOM.STALE_TIMESTAMP',
      send: async () => {
        const client = sut.simulator.wecomClient(sut.bot.id);
        const req = client.buildRequest(client.textMessageXml('u1', '你好'), { timestamp: now() + 3600 });
        return post(req.url, req.body);
      },
    },
    {
      name: 'no signature at all',
      status: 401,
      code: 'WECOM.MISSING_SIGNATURE',
      send: () => post(`${sut.gateway.url}/wecom/${sut.bot.id}/callback`, '<xml><Encrypt>x</Encrypt></xml>'),
    },
    {
      name: 'malformed XML',
      status: 400,
      code: 'WECOM.BAD_XML',
      send: () =>
        post(
          `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=a&timestamp=${now()}&nonce=1`,
          '<xml><Encrypt>abc</Encrypt',
        ),
    },
    {
      name: 'an XXE / entity-expansion envelope',
      status: 400,
      code: 'WECOM.BAD_XML',
      send: () =>
        post(
          `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=a&timestamp=${now()}&nonce=1`,
          '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><Encrypt>&b;</Encrypt></xml>',
        ),
    },
    {
      name: 'a correctly signed message whose plaintext carries an XXE',
      status: 400,
      code: 'WECOM.BAD_XML',
      send: () => {
        const evil =
          '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&xxe;</Content></xml>';
        const e = signedEnvelope(encryptMessage(sut.bot.encodingAesKey, evil, sut.bot.corpId));
        return post(`${sut.gateway.url}/wecom/${sut.bot.id}/callback?${e.query}`, e.body);
      },
    },
    {
      name: 'a message encrypted for another corp (wrong receive id)',
      status: 401,
      code: 'WECOM.RECEIVE_ID_MISMATCH',
      send: () => {
        const e = signedEnvelope(
          encryptMessage(
            sut.bot.encodingAesKey,
            '<xml><FromUserName>u</FromUserName><MsgType>text</MsgType></xml>',
            'wwSomeOtherCorp',
          ),
        );
        return post(`${sut.gateway.url}/wecom/${sut.bot.id}/callback?${e.query}`, e.body);
      },
    },
    {
      name: 'a signed ciphertext that does not decrypt',
      status: 400,
      code: 'WECOM.DECRYPT_FAILED',
      send: () => {
        const e = signedEnvelope(Buffer.alloc(64, 7).toString('base64'));
        return post(`${sut.gateway.url}/wecom/${sut.bot.id}/callback?${e.query}`, e.body);
      },
    },
    {
      name: 'an unsigned element flood (refused while reading the envelope, before the signature)',
      status: 400,
      code: 'WECOM.BAD_XML',
      send: () =>
        post(
          `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=${'0'.repeat(40)}&timestamp=${now()}&nonce=1`,
          `<xml><Encrypt>AAAA</Encrypt>${'<a/>'.repeat(1_500)}</xml>`,
        ),
    },
    {
      name: "a correctly signed message of 300 elements (over the parser's cap of 256)",
      status: 400,
      code: 'WECOM.BAD_XML',
      send: () => {
        const flood = `<xml><FromUserName>u</FromUserName><MsgType>text</MsgType>${'<a/>'.repeat(300)}</xml>`;
        const e = signedEnvelope(encryptMessage(sut.bot.encodingAesKey, flood, sut.bot.corpId));
        return post(`${sut.gateway.url}/wecom/${sut.bot.id}/callback?${e.query}`, e.body);
      },
    },
    {
      name: 'a body over the limit',
      status: 413,
      code: 'GATEWAY.BODY_TOO_LARGE',
      send: () =>
        post(
          `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=a&timestamp=${now()}&nonce=1`,
          `<xml><Encrypt>${'A'.repeat(20_000)}</Encrypt></xml>`,
        ),
    },
    {
      name: 'an unknown bot',
      status: 404,
      code: 'GATEWAY.UNKNOWN_BOT',
      send: async () => {
        const client = sut.simulator.wecomClient(sut.bot.id);
        const req = client.buildRequest(client.textMessageXml('u1', '你好'));
        return post(req.url.replace(`/wecom/${sut.bot.id}/`, '/wecom/nosuchbot/'), req.body);
      },
    },
  ];

  it.each(cases)('refuses $name with $status $code and enqueues nothing', async ({ status, code, send }) => {
    const before = await sut.inspector.total();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.json?.error).toBe(code);
    expect(await sut.inspector.total()).toBe(before);
  });

  it('refuses invalid UTF-8 and header injection without echoing them', async () => {
    const before = await sut.inspector.total();
    const bytes = Buffer.concat([
      Buffer.from('<xml><Encrypt>'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from('</Encrypt></xml>'),
    ]);
    const utf8 = await fetch(
      `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=a&timestamp=${now()}&nonce=1`,
      { method: 'POST', headers: { 'content-type': 'text/xml' }, body: bytes },
    );
    expect([400, 401]).toContain(utf8.status);
    const injected = await fetch(
      `${sut.gateway.url}/wecom/x%0d%0aSet-Cookie:%20a=b/callback?msg_signature=a%0d%0aX:%20y&timestamp=1&nonce=1`,
      { method: 'POST', body: '<xml/>' },
    );
    expect(injected.status).toBe(404);
    expect(injected.headers.get('set-cookie')).toBeNull();
    expect(injected.headers.get('x')).toBeNull();
    const compressed = await fetch(
      `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=a&timestamp=${now()}&nonce=1`,
      { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: 'x' },
    );
    expect(compressed.status).toBe(415);
    expect(await sut.inspector.total()).toBe(before);
  });

  it('refuses a URL verification with a bad signature', async () => {
    const res = await fetch(
      `${sut.gateway.url}/wecom/${sut.bot.id}/callback?msg_signature=00&timestamp=${now()}&nonce=1&echostr=abc`,
    );
    expect(res.status).toBe(401);
  });

  it('stays up and still answers after all of the above', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    expect((await client.sendText('survivor', '工资什么时候发？')).status).toBe(200);
    const reply = await sut.simulator.wecom.nextMessageTo('survivor');
    expect(reply.content).toContain('每月 10 日');
    expect(await sut.inspector.total()).toBeGreaterThan(0);
    const health = await fetch(`${sut.gateway.url}/readyz`);
    expect(health.status).toBe(200);
  });
});
