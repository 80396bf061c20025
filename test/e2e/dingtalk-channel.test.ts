import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { dingTalkChannel, type DingTalkBotConfig, type DingTalkStreamConnection } from '@answerbridge/channel-dingtalk';
import { channelSettings } from '@answerbridge/pipeline';
import { loadConfig } from '@answerbridge/config';
import { bootstrap as startGateway, type RunningGateway } from '@answerbridge/gateway';
import { loadFaqFile } from '@answerbridge/knowledge';
import { createLogger } from '@answerbridge/observability';
import { ConsoleClient } from '../support/console-client';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const answerOf = (id: string) => faq.find((e) => e.id === id)?.answer;

/**
 * DingTalk end to end: the real dingtalk-stream SDK (fenced by our wrapper) connected to the simulator,
 * on real Redis, Milvus Lite and the local embedder; plus HTTP callback mode.
 */
describe('DingTalk channel', () => {
  let sut: SystemUnderTest;
  const stream = (id: string): DingTalkBotConfig => ({
    id: `${id}s`,
    channel: 'dingtalk',
    clientId: `ding${id}s`,
    clientSecret: `secret-${id}-s`,
    mode: 'stream',
    robotName: '小助手',
    knowledgeBase: id,
    language: 'zh',
  });
  const http = (id: string): DingTalkBotConfig => ({
    id: `${id}h`,
    channel: 'dingtalk',
    clientId: `ding${id}h`,
    clientSecret: `secret-${id}-h`,
    mode: 'http',
    knowledgeBase: id,
    language: 'zh',
  });
  let streamBot: DingTalkBotConfig;
  let httpBot: DingTalkBotConfig;

  beforeAll(async () => {
    sut = await startSystem(
      {
        SIMULATOR_DINGTALK_REDELIVER_MS: '1500',
        SIMULATOR_DINGTALK_PING_MS: '300',
        DINGTALK_STREAM_WATCHDOG_SECONDS: '3',
      },
      (botId) => [stream(botId), http(botId)],
    );
    streamBot = sut.config.bots.find((b) => b.channel === 'dingtalk' && b.mode === 'stream') as DingTalkBotConfig;
    httpBot = sut.config.bots.find((b) => b.channel === 'dingtalk' && b.mode === 'http') as DingTalkBotConfig;
    await connected(sut.gateway);
  });
  afterAll(async () => {
    await sut?.stop();
  });

  /** Resolves once every Stream connection of the gateway is open. */
  async function connected(gateway: RunningGateway): Promise<void> {
    await Promise.all(gateway.connections.map(({ connection }) => connection.ready?.()));
  }

  it('answers a direct question through the sessionWebhook', async () => {
    const { messageId } = sut.simulator.dingtalk.push(streamBot.id, { from: 'zhangsan', text: '怎么更改登录密码?' });
    await sut.simulator.dingtalk.acked$(messageId);
    const reply = await sut.simulator.dingtalk.nextMessageTo('zhangsan');
    expect(reply).toMatchObject({ via: 'webhook', text: answerOf('password-change'), atUserIds: [] });
  });

  it('ignores a group message without @, and answers one with @ mentioning the asker', async () => {
    const before = sut.simulator.dingtalk.sent.length;
    const ignored = sut.simulator.dingtalk.push(streamBot.id, {
      from: 'lisi',
      text: '年假有几天？',
      group: '产品部',
      atBot: false,
    });
    await sut.simulator.dingtalk.acked$(ignored.messageId);
    sut.simulator.dingtalk.push(streamBot.id, { from: 'lisi', text: '年假有几天？', group: '产品部', atBot: true });
    const reply = await sut.simulator.dingtalk.nextMessageTo('lisi');
    expect(reply).toMatchObject({ via: 'webhook', text: answerOf('annual-leave'), atUserIds: ['lisi'] });
    expect(reply.conversationId).toBeTruthy();
    await sut.idle();
    expect(sut.simulator.dingtalk.sent.length).toBe(before + 1);
  });

  it('answers once a frame whose ack was lost and which the simulator redelivered', async () => {
    sut.simulator.dingtalk.loseAcks(1);
    const { messageId } = sut.simulator.dingtalk.push(streamBot.id, { from: 'wangwu', text: '工资什么时候发？' });
    await sut.simulator.dingtalk.acked$(messageId);
    expect(sut.simulator.dingtalk.deliveries.get(messageId)).toBe(2);
    await sut.idle();
    const replies = sut.simulator.dingtalk.sent.filter((m) => m.to === 'wangwu');
    expect(replies.map((r) => r.text)).toEqual([answerOf('payday')]);
  });

  it('with two gateway replicas connected, answers every message exactly once', async () => {
    const second = await startGateway(
      loadConfig(
        {
          GATEWAY_PORT: '0',
          REDIS_URL: sut.config.REDIS_URL,
          QUEUE_PREFIX: sut.config.QUEUE_PREFIX,
          BOTS_FILE: sut.config.BOTS_FILE,
          DINGTALK_API_BASE_URL: sut.simulator.url,
          DINGTALK_WEBHOOK_ORIGINS: sut.env.DINGTALK_WEBHOOK_ORIGINS,
          DINGTALK_STREAM_WATCHDOG_SECONDS: '3',
        },
        {},
      ),
      createLogger({ name: 'replica2', level: 'error' }),
    );
    try {
      await connected(second);
      expect(sut.simulator.dingtalk.connectionCount(streamBot.clientId)).toBe(2);
      const users = Array.from({ length: 12 }, (_, i) => `replica${i}`);
      sut.simulator.dingtalk.loseAcks(3);
      const pushes = users.map((u) => sut.simulator.dingtalk.push(streamBot.id, { from: u, text: '怎么请假？' }));
      await Promise.all(pushes.map((p) => sut.simulator.dingtalk.acked$(p.messageId)));
      await sut.idle();
      for (const u of users) expect(sut.simulator.dingtalk.sent.filter((m) => m.to === u)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('stays ready with a Stream bot that cannot connect, and shows each socket in /readyz and /metrics', async () => {
    // A bot with credentials DingTalk refuses: its socket never opens, and the gateway must still take callbacks.
    const botsFile = path.join(mkdtempSync(path.join(tmpdir(), 'ab-broken-stream-')), 'bots.json');
    const broken: DingTalkBotConfig = {
      ...streamBot,
      id: 'brokenstream',
      clientId: 'dingbrokenstream',
      clientSecret: 'refused',
    };
    writeFileSync(botsFile, JSON.stringify({ bots: [...sut.config.bots, broken] }));
    const gateway = await startGateway(
      loadConfig(
        {
          GATEWAY_PORT: '0',
          REDIS_URL: sut.config.REDIS_URL,
          QUEUE_PREFIX: sut.config.QUEUE_PREFIX,
          BOTS_FILE: botsFile,
          DINGTALK_API_BASE_URL: sut.simulator.url,
        },
        {},
      ),
      createLogger({ name: 'broken-stream', level: 'silent' }),
    );
    try {
      await gateway.connections.find(({ connection }) => connection.name === streamBot.clientId)?.connection.ready?.();
      const readyz = await fetch(`${gateway.url}/readyz`);
      expect(readyz.status).toBe(200);
      expect(((await readyz.json()) as { connections: unknown[] }).connections).toEqual(
        expect.arrayContaining([
          { channel: 'dingtalk', name: streamBot.clientId, connected: true },
          { channel: 'dingtalk', name: 'dingbrokenstream', connected: false },
        ]),
      );
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toContain(
        `answerbridge_channel_connected{channel="dingtalk",connection="${streamBot.clientId}",service="gateway"} 1`,
      );
      expect(metrics).toContain(
        'answerbridge_channel_connected{channel="dingtalk",connection="dingbrokenstream",service="gateway"} 0',
      );
    } finally {
      await gateway.close();
    }
  });

  it('replies through the OpenAPI with a cached token after the sessionWebhook expired (an agent-late reply too)', async () => {
    sut.simulator.dingtalk.options.sessionTtlMs = 30_000; // inside the sender's one-minute margin: treated as expired
    const tokensBefore = sut.simulator.dingtalk.calls.token;
    sut.simulator.dingtalk.push(streamBot.id, { from: 'zhaoliu', text: '年假有几天？' });
    sut.simulator.dingtalk.push(streamBot.id, { from: 'qianqi', text: '怎么请假？', group: '研发部', atBot: true });
    expect(await sut.simulator.dingtalk.nextMessageTo('zhaoliu')).toMatchObject({
      via: 'openapi-user',
      text: answerOf('annual-leave'),
    });
    const group = await sut.simulator.dingtalk.nextMessageTo(`cid${Buffer.from('研发部').toString('base64')}`);
    expect(group).toMatchObject({ via: 'openapi-group', text: answerOf('leave-request') });
    sut.simulator.dingtalk.options.sessionTtlMs = 5_400_000;
    // A webhook that DingTalk already forgot ("session 不存在") falls back too.
    sut.simulator.dingtalk.push(streamBot.id, { from: 'sunba', text: '工资什么时候发？' });
    sut.simulator.dingtalk.expireSessions();
    expect(await sut.simulator.dingtalk.nextMessageTo('sunba')).toMatchObject({ via: 'openapi-user' });
    expect(sut.simulator.dingtalk.calls.token).toBe(tokensBefore + 1);
  });

  it('reconnects after a dropped socket, a non-JSON frame, a silent socket and a rotation, losing no message', async () => {
    const connection = sut.gateway.connections[0]?.connection as DingTalkStreamConnection | undefined;
    const opened = connection?.connections ?? 0;
    sut.simulator.dingtalk.sendRaw(streamBot.clientId, 'this is not JSON {');
    const afterGarbage = sut.simulator.dingtalk.push(streamBot.id, { from: 'garbage', text: '怎么报销差旅费？' });
    expect(await sut.simulator.dingtalk.nextMessageTo('garbage')).toMatchObject({
      text: answerOf('travel-reimbursement'),
    });
    await sut.simulator.dingtalk.acked$(afterGarbage.messageId);

    sut.simulator.dingtalk.dropConnections(streamBot.clientId);
    const duringDrop = sut.simulator.dingtalk.push(streamBot.id, { from: 'dropped', text: '工卡丢了怎么补办？' });
    await sut.simulator.dingtalk.acked$(duringDrop.messageId);
    expect(await sut.simulator.dingtalk.nextMessageTo('dropped')).toMatchObject({ text: answerOf('badge-lost') });
    expect(connection?.connections).toBeGreaterThan(opened);

    sut.simulator.dingtalk.rotate(streamBot.clientId, 500);
    const duringRotation = sut.simulator.dingtalk.push(streamBot.id, { from: 'rotated', text: '会议室怎么预订？' });
    await sut.simulator.dingtalk.acked$(duringRotation.messageId);
    expect(await sut.simulator.dingtalk.nextMessageTo('rotated')).toMatchObject({ text: answerOf('meeting-room') });
    await connected(sut.gateway);

    // A zombie socket (open, but no pings and no frames) is replaced by the watchdog (3 s here).
    const beforeMute = connection?.connections ?? 0;
    sut.simulator.dingtalk.muteConnections(streamBot.clientId);
    const duringSilence = sut.simulator.dingtalk.push(streamBot.id, { from: 'silenced', text: '怎么请假？' });
    await sut.simulator.dingtalk.acked$(duringSilence.messageId);
    expect(await sut.simulator.dingtalk.nextMessageTo('silenced')).toMatchObject({ text: answerOf('leave-request') });
    expect(connection?.connections).toBe(beforeMute + 1);
  });

  it('backs off instead of storming when the handshake is refused', async () => {
    const { DingTalkStreamConnection } = await import('@answerbridge/channel-dingtalk');
    const attempts: number[] = [];
    const third = new Promise<void>((resolve) => {
      const on = (clientId: string) => {
        if (clientId !== 'dingwrong') return;
        attempts.push(Date.now());
        if (attempts.length === 3) {
          sut.simulator.dingtalk.off('open', on);
          resolve();
        }
      };
      sut.simulator.dingtalk.on('open', on);
    });
    const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const connection = new DingTalkStreamConnection({
      clientId: 'dingwrong',
      clientSecret: 'nope',
      apiBaseUrl: sut.simulator.url,
      watchdogMs: 60_000,
      logger: quiet,
      onRobotMessage: async () => undefined,
    });
    connection.start();
    await third;
    await connection.stop();
    // 2.1.5 alone made 63 attempts in 6 s; ours waits ≥ 1 s, then ≥ 2 s.
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect((attempts[2] ?? 0) - (attempts[1] ?? 0)).toBeGreaterThanOrEqual(2_000);
  });

  it('HTTP mode: answers a signed callback, and refuses wrong, stale or missing signatures and bad JSON, enqueueing nothing', async () => {
    const body = sut.simulator.dingtalk.robotMessage(httpBot.id, { from: 'httpuser', text: '公司 Wi-Fi 密码是多少' });
    const ok = await sut.simulator.dingTalkHttpCallback(httpBot.id, body);
    expect(ok.status).toBe(200);
    expect(await sut.simulator.dingtalk.nextMessageTo('httpuser')).toMatchObject({
      via: 'webhook',
      text: answerOf('wifi'),
    });
    await sut.idle();
    const before = await sut.inspector.total();
    const stale = String(Date.now() - 3_601_000);
    const cases = [
      { options: { sign: 'AAAA' }, status: 401 },
      { options: { timestamp: stale }, status: 401 },
      { options: { timestamp: String(Date.now() + 3_601_000) }, status: 401 },
      { options: { timestamp: 'yesterday' }, status: 401 },
    ];
    for (const c of cases)
      expect((await sut.simulator.dingTalkHttpCallback(httpBot.id, body, c.options)).status).toBe(c.status);
    const url = `${sut.gateway.url}/dingtalk/${httpBot.id}/callback`;
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(unsigned.status).toBe(401);
    const { dingTalkSign } = await import('@answerbridge/channel-dingtalk');
    const ts = String(Date.now());
    const badJson = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', timestamp: ts, sign: dingTalkSign(ts, httpBot.clientSecret) },
      body: '{"msgId":',
    });
    expect(badJson.status).toBe(400);
    const missingFields = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', timestamp: ts, sign: dingTalkSign(ts, httpBot.clientSecret) },
      body: '{"msgId":"x"}',
    });
    expect(missingFields.status).toBe(400);
    expect((await sut.simulator.dingTalkHttpCallback(`nobot`, body).catch(() => ({ status: 404 }))).status).toBe(404);
    const unknownBot = await fetch(`${sut.gateway.url}/dingtalk/nobot/callback`, { method: 'POST', body: '{}' });
    expect(unknownBot.status).toBe(404);
    expect(await sut.inspector.total()).toBe(before);
  });

  it('Stream mode: acks and drops frames it refuses (bad data, another robot), enqueueing nothing', async () => {
    await sut.idle();
    const before = await sut.inspector.total();
    const good = sut.simulator.dingtalk.robotMessage(streamBot.id, { from: 'x', text: 'y' });
    const frames = [
      sut.simulator.dingtalk.pushData(streamBot.id, 'not json'),
      sut.simulator.dingtalk.pushData(streamBot.id, JSON.stringify({ msgId: 'm1' })),
      sut.simulator.dingtalk.pushData(streamBot.id, JSON.stringify({ ...good, robotCode: 'someone-else' })),
      sut.simulator.dingtalk.pushData(streamBot.id, JSON.stringify({ ...good, conversationType: '3' })),
    ];
    await Promise.all(frames.map((f) => sut.simulator.dingtalk.acked$(f)));
    expect(frames.map((f) => sut.simulator.dingtalk.deliveries.get(f))).toEqual([1, 1, 1, 1]);
    expect(await sut.inspector.total()).toBe(before);
  });

  it('sends Markdown answers as markdown, @mentioning the asker in a group', async () => {
    const { DingTalkSender } = await import('@answerbridge/channel-dingtalk');
    const body = sut.simulator.dingtalk.robotMessage(streamBot.id, { from: 'mduser', text: 'x', group: '运营部' });
    const sender = new DingTalkSender(
      () => undefined,
      {
        get: async () => null,
        set: async () => undefined,
        setIfAbsent: async () => true,
        deleteIfEquals: async () => true,
      },
      { webhookOrigins: channelSettings(dingTalkChannel, sut.config.environment).DINGTALK_WEBHOOK_ORIGINS },
    );
    await sender.send({
      id: 'reply-md-1',
      botId: streamBot.id,
      inReplyTo: 'x',
      text: '## 报销流程\n1. 提交单据\n2. **主管审批**',
      target: {
        channel: 'dingtalk',
        robotCode: streamBot.clientId,
        chatType: 'group',
        openConversationId: String(body.conversationId),
        staffId: 'mduser',
        sessionWebhook: String(body.sessionWebhook),
        sessionWebhookExpiresAt: Number(body.sessionWebhookExpiredTime),
      },
    });
    const sent = await sut.simulator.dingtalk.nextMessageTo('mduser');
    expect(sent).toMatchObject({ via: 'webhook', atUserIds: ['mduser'] });
    expect(sent.text).toBe('## 报销流程\n1. 提交单据\n2. **主管审批**\n\n@mduser');
  });

  it('answers a picture with the text-only notice and hands over on 转人工 like WeCom', async () => {
    sut.simulator.dingtalk.push(streamBot.id, { from: 'picuser', text: '', msgtype: 'picture' });
    expect((await sut.simulator.dingtalk.nextMessageTo('picuser')).text).toBe(defaultMessages.nonText);
    sut.simulator.dingtalk.push(streamBot.id, { from: 'humanuser', text: '转人工' });
    expect((await sut.simulator.dingtalk.nextMessageTo('humanuser')).text).toBe(defaultMessages.handover);
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    const queue = await agent.call<{ waiting: { conversationId: string; channel: string }[] }>(
      'GET',
      '/api/conversations',
    );
    expect(queue.body.waiting).toContainEqual(
      expect.objectContaining({ conversationId: `dingtalk/${streamBot.id}/humanuser`, channel: 'dingtalk' }),
    );
    // The agent's reply goes back through DingTalk.
    expect(
      (await agent.call('POST', agent.conversationPath(`dingtalk/${streamBot.id}/humanuser`, 'claim'))).status,
    ).toBe(200);
    const joined = await sut.simulator.dingtalk.nextMessageTo(
      'humanuser',
      sut.simulator.dingtalk.sent.find((m) => m.to === 'humanuser')?.seq ?? 0,
    );
    expect(joined.text).toContain('小李');
    await agent.call('POST', agent.conversationPath(`dingtalk/${streamBot.id}/humanuser`, 'reply'), {
      text: '您好，我是人工客服。',
    });
    expect((await sut.simulator.dingtalk.nextMessageTo('humanuser', joined.seq)).text).toBe('您好，我是人工客服。');
  });
});
