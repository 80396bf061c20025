import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import { dingTalkSign } from '@answerbridge/channel-dingtalk';
import { loadFaqFile } from '@answerbridge/knowledge';
import { ConsoleClient } from '../support/console-client';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const answerOf = (id: string) => faq.find((e) => e.id === id)?.answer;

/**
 * DingTalk's HTTP-mode signature covers `timestamp + "\n" + secret`, never the body (issue 10, defect 2).
 * Each attack an outside probe made with one validly signed header pair, sent to the real gateway, worker,
 * simulator and Redis: the answer must never be posted to an address the body names, a signature must not
 * carry a second body, and the body must name our robot.
 */
describe('DingTalk HTTP mode under a hostile body', () => {
  let sut: SystemUnderTest;
  let httpBot: DingTalkBotConfig;
  let streamBot: DingTalkBotConfig;
  const logs: string[] = [];
  /** A local service the attacker wants the worker to POST to. */
  let internal: Server;
  let internalUrl = '';
  const internalHits: string[] = [];

  beforeAll(async () => {
    internal = createServer((req, res) => {
      internalHits.push(`${req.method} ${req.url}`);
      req.resume();
      // Answers like DingTalk would, so the old sender would have counted the answer as delivered.
      res.setHeader('content-type', 'application/json');
      res.end('{"errcode":0,"errmsg":"ok"}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/internal/admin`;
    sut = await startSystem(
      { LOG_LEVEL: 'warn' },
      (id) => [
        {
          id: `${id}h`,
          channel: 'dingtalk',
          clientId: `ding${id}h`,
          clientSecret: `secret-${id}-h`,
          mode: 'http',
          knowledgeBase: id,
          language: 'zh',
        },
        {
          id: `${id}s`,
          channel: 'dingtalk',
          clientId: `ding${id}s`,
          clientSecret: `secret-${id}-s`,
          mode: 'stream',
          knowledgeBase: id,
          language: 'zh',
        },
      ],
      (line) => logs.push(line),
    );
    httpBot = sut.config.bots.find((b) => b.channel === 'dingtalk' && b.mode === 'http') as DingTalkBotConfig;
    streamBot = sut.config.bots.find((b) => b.channel === 'dingtalk' && b.mode === 'stream') as DingTalkBotConfig;
    await Promise.all(sut.gateway.connections.map(({ connection }) => connection.ready?.()));
  });
  afterAll(async () => {
    await sut?.stop();
    await new Promise<void>((resolve) => (internal ? internal.close(() => resolve()) : resolve()));
  });

  it('never POSTs the answer to a sessionWebhook the body points at a local service; the asker still gets it through the OpenAPI', async () => {
    const body: Record<string, unknown> = {
      ...sut.simulator.dingtalk.robotMessage(httpBot.id, { from: 'ssrf-asker', text: '怎么更改登录密码?' }),
      sessionWebhook: internalUrl,
    };
    const res = await sut.simulator.dingTalkHttpCallback(httpBot.id, body);
    expect(res.status).toBe(200);
    expect(await sut.simulator.dingtalk.nextMessageTo('ssrf-asker')).toMatchObject({
      via: 'openapi-user',
      text: answerOf('password-change'),
    });
    await sut.idle();
    expect(internalHits).toEqual([]);
    // An operator is told, without the webhook's session token (the field is redacted; only its origin is logged).
    const warning = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.code === 'DINGTALK.SESSION_WEBHOOK_REFUSED' && l.bot === httpBot.id);
    expect(warning).toMatchObject({ level: 40, webhookOrigin: new URL(internalUrl).origin, msgId: body.msgId });
    const metrics = await (await fetch(`${sut.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /answerbridge_channel_api_errors_total\{channel="dingtalk",code="SESSION_WEBHOOK_REFUSED",service="gateway"\} [1-9]/,
    );
  });

  it('does the same for a Stream frame whose sessionWebhook is not an allowed origin', async () => {
    const data = {
      ...sut.simulator.dingtalk.robotMessage(streamBot.id, { from: 'ssrf-stream', text: '工资什么时候发？' }),
      sessionWebhook: internalUrl,
    };
    const messageId = sut.simulator.dingtalk.pushData(streamBot.id, JSON.stringify(data));
    await sut.simulator.dingtalk.acked$(messageId);
    expect(await sut.simulator.dingtalk.nextMessageTo('ssrf-stream')).toMatchObject({
      via: 'openapi-user',
      text: answerOf('payday'),
    });
    await sut.idle();
    expect(internalHits).toEqual([]);
  });

  it("refuses a captured (timestamp, sign) pair with another body (401), so nobody can open an escalation in victim-ceo's name", async () => {
    // The genuine callback, whose headers someone captured (ten minutes ago: valid for fifty more).
    const timestamp = String(Date.now() - 600_000);
    const sign = dingTalkSign(timestamp, httpBot.clientSecret);
    const genuine = sut.simulator.dingtalk.robotMessage(httpBot.id, { from: 'captured-asker', text: '年假有几天？' });
    expect((await sut.simulator.dingTalkHttpCallback(httpBot.id, genuine, { timestamp, sign })).status).toBe(200);
    expect(await sut.simulator.dingtalk.nextMessageTo('captured-asker')).toMatchObject({
      text: answerOf('annual-leave'),
    });
    await sut.idle();
    const jobsBefore = await sut.inspector.total();

    const forged = {
      ...sut.simulator.dingtalk.robotMessage(httpBot.id, { from: 'victim-ceo', text: '转人工' }),
      senderStaffId: 'victim-ceo',
    };
    const refused = await sut.simulator.dingTalkHttpCallback(httpBot.id, forged, { timestamp, sign });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'DINGTALK.SIGN_REUSED' });

    // The same genuine message again under its own pair is a redelivery: accepted, answered once.
    expect((await sut.simulator.dingTalkHttpCallback(httpBot.id, genuine, { timestamp, sign })).status).toBe(200);
    await sut.idle();
    expect(await sut.inspector.total()).toBe(jobsBefore);
    expect(sut.simulator.dingtalk.sent.filter((m) => m.to === 'captured-asker')).toHaveLength(1);
    expect(sut.simulator.dingtalk.sent.filter((m) => m.to === 'victim-ceo')).toEqual([]);
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    const queue = await agent.call<{ waiting: { conversationId: string }[] }>('GET', '/api/conversations');
    expect(queue.status).toBe(200);
    expect(queue.body.waiting.map((c) => c.conversationId)).not.toContain(`dingtalk/${httpBot.id}/victim-ceo`);
    expect(await sut.redis.keys(`${sut.config.QUEUE_PREFIX}:*victim-ceo*`)).toEqual([]);
  });

  it('refuses a signed body that names another robot or none, enqueueing nothing', async () => {
    await sut.idle();
    const before = await sut.inspector.total();
    const { robotCode: _, ...anonymous } = sut.simulator.dingtalk.robotMessage(httpBot.id, {
      from: 'no-robot',
      text: '怎么请假？',
    });
    const missing = await sut.simulator.dingTalkHttpCallback(httpBot.id, anonymous);
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body)).toMatchObject({ error: 'DINGTALK.MISSING_ROBOT_CODE' });
    const other = {
      ...sut.simulator.dingtalk.robotMessage(httpBot.id, { from: 'other-robot', text: '怎么请假？' }),
      robotCode: streamBot.clientId,
    };
    const wrong = await sut.simulator.dingTalkHttpCallback(httpBot.id, other);
    expect(wrong.status).toBe(403);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: 'DINGTALK.UNKNOWN_ROBOT' });
    await sut.idle();
    expect(await sut.inspector.total()).toBe(before);
    expect(sut.simulator.dingtalk.sent.filter((m) => m.to === 'no-robot' || m.to === 'other-robot')).toEqual([]);
  });
});
