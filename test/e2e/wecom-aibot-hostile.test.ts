import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeSignature, encryptMessage } from '@answerbridge/channel-wecom';
import { WecomAibotSimulator, type AibotSimBot } from '@answerbridge/simulator';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

/**
 * Hostile input to the AI bot's callback URL, sent over HTTP to the real gateway: each refusal has its
 * status and code, nothing reaches the queue, and the gateway keeps answering real callbacks.
 */
describe('AI bot callbacks that must be refused', () => {
  let sut: SystemUnderTest;
  let sim: WecomAibotSimulator;
  let bot: AibotSimBot;

  beforeAll(async () => {
    sim = new WecomAibotSimulator([], { refreshIntervalMs: 150 });
    await sim.listen();
    sut = await startSystem({ WECOM_AIBOT_RESPONSE_ORIGINS: sim.url, GATEWAY_BODY_LIMIT_BYTES: '16384' }, (botId) => {
      bot = { id: `${botId}_ai`, mode: 'http', token: 'aibotToken', encodingAesKey: KEY };
      sim.addBots([bot]);
      return [{ ...bot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' }];
    });
    sim.setGateways([sut.gateway.url]);
  });
  afterAll(async () => {
    await sut?.stop();
    await sim?.close();
  });

  const url = (botId = bot.id) => `${sut.gateway.url}/wecom-aibot/${botId}/callback`;
  const post = async (query: string, body: string, botId?: string) => {
    const res = await fetch(`${url(botId)}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as { error?: string } | null };
  };
  const message = (content: string) =>
    JSON.stringify({
      msgid: `m-${Math.random()}`,
      aibotid: 'AIBOTID',
      chattype: 'single',
      from: { userid: 'mallory' },
      msgtype: 'text',
      text: { content },
    });
  /** Signs any envelope body as the bot would (so only what is inside is wrong). */
  const signed = (encrypt: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = computeSignature('aibotToken', timestamp, '42', encrypt);
    return `msg_signature=${signature}&timestamp=${timestamp}&nonce=42`;
  };

  const cases: { name: string; status: number; code: string; send: () => ReturnType<typeof post> }[] = [
    {
      name: 'a wrong signature',
      status: 401,
      code: 'AIBOT.BAD_SIGNATURE',
      send: () => {
        const r = sim.encrypted(bot, message('hi'), { token: 'not-the-token' });
        return post(r.query, r.body);
      },
    },
    {
      name: 'a stale timestamp (a replay)',
      status: 401,
      code: 'AIBOT.STALE_TIMESTAMP',
      send: () => {
        const r = sim.encrypted(bot, message('hi'), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
        return post(r.query, r.body);
      },
    },
    {
      name: 'no signature at all',
      status: 401,
      code: 'WECOM.MISSING_SIGNATURE',
      send: () => post('', JSON.stringify({ encrypt: 'abc' })),
    },
    {
      name: 'an oversize body',
      status: 413,
      code: 'GATEWAY.BODY_TOO_LARGE',
      send: () => post(sim.encrypted(bot, message('hi')).query, JSON.stringify({ encrypt: 'A'.repeat(40_000) })),
    },
    {
      name: 'a deeply nested envelope, refused before its signature is even checked',
      status: 400,
      code: 'AIBOT.TOO_DEEP',
      send: () => post(signed('x'), `{"encrypt":${'['.repeat(5_000)}${']'.repeat(5_000)}}`),
    },
    {
      name: 'a deeply nested callback inside a valid, signed envelope',
      status: 400,
      code: 'AIBOT.TOO_DEEP',
      send: () => {
        const encrypt = encryptMessage(KEY, `{"msgid":"d","x":${'['.repeat(3_000)}${']'.repeat(3_000)}}`, '');
        return post(signed(encrypt), JSON.stringify({ encrypt }));
      },
    },
    {
      name: 'an envelope that is not JSON',
      status: 400,
      code: 'AIBOT.BAD_JSON',
      send: () => post(signed('x'), '<xml><Encrypt>x</Encrypt></xml>'),
    },
    {
      name: 'a signed callback whose plaintext is not a callback',
      status: 400,
      code: 'AIBOT.BAD_CALLBACK',
      send: () => {
        const encrypt = encryptMessage(KEY, '{"hello":"world"}', '');
        return post(signed(encrypt), JSON.stringify({ encrypt }));
      },
    },
    {
      name: 'a ciphertext that is not base64 AES',
      status: 400,
      code: 'AIBOT.DECRYPT_FAILED',
      send: () => post(signed('bm90LWFlcw=='), JSON.stringify({ encrypt: 'bm90LWFlcw==' })),
    },
    {
      name: 'an unknown bot',
      status: 404,
      code: 'GATEWAY.UNKNOWN_BOT',
      send: () => {
        const r = sim.encrypted(bot, message('hi'));
        return post(r.query, r.body, 'nosuchbot');
      },
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} ${c.code}, queueing nothing`, async () => {
      const before = await sut.inspector.total();
      const res = await c.send();
      expect(res.status).toBe(c.status);
      expect(res.json?.error).toBe(c.code);
      expect(await sut.inspector.total()).toBe(before);
    });
  }

  it('finishes a refresh for a stream id it never gave out, empty, so WeCom stops asking', async () => {
    const before = await sut.inspector.total();
    const answer = await sim.refresh(bot.id, 's-not-ours-0123');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.plaintext ?? '{}')).toEqual({
      msgtype: 'stream',
      stream: { id: 's-not-ours-0123', finish: true, content: '' },
    });
    expect(await sut.inspector.total()).toBe(before);
  });

  it('still answers a real message after all that', async () => {
    const sent = await sim.send(bot.id, 'alice', '年假有几天？');
    expect((await sim.finalFor(sent)).content).toMatch(/年假/);
  });
});
