import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WecomAibotSimulator } from './wecom-aibot-server';

interface Frame {
  cmd?: string;
  headers?: { req_id?: string };
  body?: Record<string, unknown>;
  errcode?: number;
}

/** A bare long-connection client, as a test sees the simulator's wire. */
async function client(url: string) {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters: ((f: Frame) => void)[] = [];
  socket.on('message', (data: WebSocket.RawData) => {
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    for (const w of waiters.splice(0)) w(frame);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  const next = (match: (f: Frame) => boolean) =>
    new Promise<Frame>((resolve) => {
      const found = frames.find(match);
      if (found) return resolve(found);
      const wait = (f: Frame) => (match(f) ? resolve(f) : waiters.push(wait));
      waiters.push(wait);
    });
  const request = async (cmd: string, reqId: string, body?: Record<string, unknown>) => {
    socket.send(JSON.stringify({ cmd, headers: { req_id: reqId }, ...(body ? { body } : {}) }));
    return next((f) => !f.cmd && f.headers?.req_id === reqId);
  };
  return { socket, frames, next, request };
}

describe('the AI bot simulator keeps WeCom’s rules', () => {
  let sim: WecomAibotSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it('refuses bad credentials, kicks an older connection with disconnected_event, and takes req_ids of the connection only', async () => {
    sim = new WecomAibotSimulator([{ id: 'b1', mode: 'ws', aibotId: 'aib1', secret: 's1' }]);
    await sim.listen();
    const wrong = await client(sim.wsUrl);
    expect((await wrong.request('aibot_subscribe', 'r0', { bot_id: 'aib1', secret: 'nope' })).errcode).toBe(853000);

    const old = await client(sim.wsUrl);
    expect((await old.request('aibot_subscribe', 'r1', { bot_id: 'aib1', secret: 's1' })).errcode).toBe(0);
    await sim.send('b1', 'u1', 'hello');
    const callback = await old.next((f) => f.cmd === 'aibot_msg_callback');
    const reqId = callback.headers?.req_id ?? '';
    const stream = { msgtype: 'stream', stream: { id: 'S1', finish: false, content: '…' } };
    expect((await old.request('aibot_respond_msg', reqId, stream)).errcode).toBe(0);

    const newer = await client(sim.wsUrl);
    const closed = new Promise((resolve) => old.socket.once('close', resolve));
    expect((await newer.request('aibot_subscribe', 'r2', { bot_id: 'aib1', secret: 's1' })).errcode).toBe(0);
    const kick = await old.next((f) => f.cmd === 'aibot_event_callback');
    expect((kick.body?.event as { eventtype?: string }).eventtype).toBe('disconnected_event');
    await closed;
    expect(sim.kicks).toBe(1);
    expect(sim.connectionsOf('b1')).toBe(1);
    // The old connection's req_id is not the new one's to answer.
    const finish = { msgtype: 'stream', stream: { id: 'S1', finish: true, content: 'answer' } };
    expect((await newer.request('aibot_respond_msg', reqId, finish)).errcode).toBe(846605);
    // A push reaches a chat the user wrote in; an unknown chat is refused.
    const push = (chatid: string) => ({ chatid, chat_type: 1, msgtype: 'markdown', markdown: { content: 'hi' } });
    expect((await newer.request('aibot_send_msg', 'p1', push('u1'))).errcode).toBe(0);
    expect((await newer.request('aibot_send_msg', 'p2', push('nobody'))).errcode).toBe(93006);
    for (const c of [wrong, newer]) c.socket.close();
  });

  it('takes a response_url once, markdown only, within its hour', async () => {
    let now = Date.now();
    sim = new WecomAibotSimulator([{ id: 'h1', mode: 'ws', aibotId: 'aibh', secret: 's' }], { nowMs: () => now });
    await sim.listen();
    const c = await client(sim.wsUrl);
    await c.request('aibot_subscribe', 'r', { bot_id: 'aibh', secret: 's' });
    const urls: string[] = [];
    for (const question of ['q1', 'q2']) {
      await sim.send('h1', 'u2', question);
      const frame = await c.next((f) => (f.body?.text as { content?: string } | undefined)?.content === question);
      urls.push(String(frame.body?.response_url));
    }
    const post = async (url: string, body: unknown) =>
      (await (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as { errcode: number };
    const markdown = { msgtype: 'markdown', markdown: { content: '答案' } };
    const [first = '', second = ''] = urls;
    expect((await post(first, { msgtype: 'text', text: { content: 'x' } })).errcode).not.toBe(0);
    expect((await post(first, markdown)).errcode).toBe(0);
    expect((await post(first, markdown)).errcode).not.toBe(0);
    now += 3_600_001;
    expect((await post(second, markdown)).errcode).toBe(40003);
    expect(sim.bubbles.filter((b) => b.via === 'response_url').map((b) => b.content)).toEqual(['答案']);
    c.socket.close();
  });
});
