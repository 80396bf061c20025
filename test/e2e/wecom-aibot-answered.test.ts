import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defaultMessages } from '@answerbridge/answering';
import { aibotMessages, readFeedback } from '@answerbridge/channel-wecom-aibot';
import { loadConfig } from '@answerbridge/config';
import { bootstrap as startGateway, type RunningGateway } from '@answerbridge/gateway';
import { loadFaqFile } from '@answerbridge/knowledge';
import { createLogger } from '@answerbridge/observability';
import { RedisDecisionLog, RedisKeyValueStore } from '@answerbridge/redis';
import { WecomAibotSimulator, type AibotSimBot } from '@answerbridge/simulator';
import { ConsoleClient } from '../support/console-client';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const passwordAnswer = faq.find((e) => e.question.includes('修改登录密码'))?.answer;
const zh = aibotMessages.zh;

const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

/**
 * The WeCom AI bot (智能机器人) end to end on real parts: the gateway (two replicas), the worker, Redis,
 * Milvus Lite, the local embedder and the AI bot simulator, which speaks the protocol (encrypted JSON callbacks,
 * 流式消息刷新 on its schedule, response_url, the long connection that kicks an older one).
 */
describe('the WeCom AI bot answers through streams (real gateway ×2, worker, Redis, Milvus Lite, the local embedder)', () => {
  let sut: SystemUnderTest;
  let second: RunningGateway;
  let sim: WecomAibotSimulator;
  let httpBot: AibotSimBot;
  let wsBot: AibotSimBot;

  beforeAll(async () => {
    sim = new WecomAibotSimulator([], { refreshIntervalMs: 150 });
    await sim.listen();
    sut = await startSystem(
      {
        WECOM_AIBOT_RESPONSE_ORIGINS: sim.url,
        WECOM_AIBOT_WS_URL: sim.wsUrl,
        WECOM_AIBOT_LEASE_SECONDS: '3',
        WECOM_AIBOT_PING_SECONDS: '5',
      },
      (botId) => {
        // Known to the simulator before the gateway starts and subscribes.
        httpBot = { id: `${botId}_ai`, mode: 'http', name: '小助手', token: 'aibotToken', encodingAesKey: KEY };
        wsBot = { id: `${botId}_ws`, mode: 'ws', aibotId: `aib-${botId}`, secret: 'wsSecret' };
        sim.addBots([httpBot, wsBot]);
        return [
          { ...httpBot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' },
          { ...wsBot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' },
        ];
      },
    );
    second = await startGateway(
      loadConfig({ ...sut.env, GATEWAY_PORT: '0' }, {}),
      createLogger({ name: 'gw2', level: 'error' }),
    );
    sim.setGateways([sut.gateway.url, second.url]);
  });
  afterAll(async () => {
    await second?.close();
    await sut?.stop();
    await sim?.close();
  });

  it('answers a group @mention through the stream refreshes, with the two replicas answering alternate refreshes', async () => {
    const message = await sim.send(httpBot.id, 'zhangsan', '怎么更改登录密码?', { chatId: 'wrkGroup1' });
    const bubble = await sim.finalFor(message);
    expect(bubble).toMatchObject({ via: 'stream', chatId: 'wrkGroup1', content: passwordAnswer, expired: false });
    // The placeholder first, at once; then the answer, shown by a refresh.
    expect(bubble.snapshots[0]).toBe(zh.placeholder);
    expect(bubble.snapshots.at(-1)).toBe(passwordAnswer);
    expect(new Set(message.refreshedBy)).toEqual(new Set([0, 1]));
    // One bubble for the message, nothing through response_url.
    expect(sim.bubbles.filter((b) => b.inReplyTo === message.msgid)).toHaveLength(1);
  });

  it('gives one answer to a callback WeCom delivers three times', async () => {
    const message = await sim.send(httpBot.id, 'lisi', '年假有几天？');
    const again = await Promise.all([sim.redeliver(message), sim.redeliver(message)]);
    expect(again.map((a) => a.status)).toEqual([200, 200]);
    const bubble = await sim.finalFor(message);
    expect(bubble.content).toBe(faq.find((e) => e.question.startsWith('年假'))?.answer);
    await sut.idle();
    const late = await sim.redeliver(message);
    // A redelivery after the answer gets the same stream, finished with the answer.
    expect(JSON.parse(late.plaintext ?? '{}')).toMatchObject({ stream: { id: bubble.streamId, finish: true } });
    await sut.idle();
    expect(sim.bubbles.filter((b) => b.inReplyTo === message.msgid)).toHaveLength(1);
    const records = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(100);
    expect(records.filter((r) => r.question === '年假有几天？' && r.botId === httpBot.id)).toHaveLength(1);
  });

  it('offers numbered suggestions and answers the number', async () => {
    const message = await sim.send(httpBot.id, 'wuyi', '密码');
    const suggestion = await sim.finalFor(message);
    expect(suggestion.content).toMatch(
      new RegExp(
        `^${defaultMessages.suggestHeader}\\n1\\. 如何修改登录密码？\\n2\\. .+\\n3\\. .+\\n${defaultMessages.suggestFooter}$`,
      ),
    );
    const pick = await sim.send(httpBot.id, 'wuyi', '1');
    expect((await sim.finalFor(pick)).content).toBe(passwordAnswer);
  });

  it('welcomes on enter_chat, and records 不准确 against the decision that made the answer', async () => {
    expect(await sim.enterChat(httpBot.id, 'zhaoliu')).toBe(zh.welcome);
    const message = await sim.send(httpBot.id, 'zhaoliu', '工资什么时候发？');
    const bubble = await sim.finalFor(message);
    expect(bubble.feedbackId).toBeTruthy();
    expect(await sim.feedback(httpBot.id, 'zhaoliu', bubble.feedbackId ?? '', 2, '不够详细')).toBe(200);
    const store = new RedisKeyValueStore(sut.redis, sut.config.QUEUE_PREFIX);
    expect(await readFeedback(store, httpBot.id, bubble.feedbackId ?? '')).toMatchObject({
      verdict: 'inaccurate',
      content: '不够详细',
    });
    await sut.idle();
    const records = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(100);
    expect(records.find((r) => r.messageId === bubble.feedbackId)).toMatchObject({
      question: '工资什么时候发？',
      kind: 'answer',
    });
  });

  it("hands over on 转人工, and the agent's replies reach the asker (the next message's stream, then response_url)", async () => {
    const conversationId = `wecom-aibot/${httpBot.id}/qianjiu`;
    const handover = await sim.send(httpBot.id, 'qianjiu', '我要转人工');
    expect((await sim.finalFor(handover)).content).toBe(defaultMessages.handover);
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    expect((await agent.call('POST', agent.conversationPath(conversationId, 'claim'))).status).toBe(200);
    // The asker writes while waiting: relayed to the agent, its bubble waits for the agent's words.
    const events = await agent.events();
    const waiting = await sim.send(httpBot.id, 'qianjiu', '还在吗？');
    await events.next('message', conversationId, (e) => (e.entry as { text?: string }).text === '还在吗？');
    events.close();
    const sent = await agent.call('POST', agent.conversationPath(conversationId, 'reply'), {
      text: '在的，我是客服小王',
    });
    expect(sent.status).toBe(202);
    expect((await sim.finalFor(waiting)).content).toBe('在的，我是客服小王');
    await agent.call('POST', agent.conversationPath(conversationId, 'reply'), { text: '请提供您的工号' });
    const viaUrl = await sim.waitFor(
      (b) => b.via === 'response_url' && b.userId === 'qianjiu',
      30_000,
      'a response_url reply',
    );
    expect(viaUrl.content).toBe('请提供您的工号');
  });

  it('holds the long connection on exactly one of the two replicas and answers through it', async () => {
    await sim.waitForSubscribed(wsBot.id);
    const message = await sim.send(wsBot.id, 'sunqi', '怎么更改登录密码?');
    const bubble = await sim.finalFor(message);
    expect(bubble).toMatchObject({ via: 'ws_stream', content: passwordAnswer });
    expect(bubble.snapshots[0]).toBe(zh.placeholder);
    expect(sim.connectionsOf(wsBot.id)).toBe(1);
    expect(sim.kicks).toBe(0);
  });

  it('kicked by a connection from outside the fleet, the holder backs off instead of kicking back, then returns', async () => {
    await sim.waitForSubscribed(wsBot.id);
    const kicksBefore = sim.kicks;
    const rogue = new WebSocket(sim.wsUrl);
    await new Promise((resolve) => rogue.once('open', resolve));
    const acked = new Promise((resolve) => rogue.once('message', resolve));
    rogue.send(
      JSON.stringify({
        cmd: 'aibot_subscribe',
        headers: { req_id: 'rogue_1' },
        body: { bot_id: wsBot.aibotId, secret: wsBot.secret },
      }),
    );
    await acked;
    expect(sim.kicks).toBe(kicksBefore + 1);
    // The holder still holds the lease: it waits (5 s and more) rather than start a kicking loop.
    const kickedBack = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3_000);
      sim.once('kicked', () => (clearTimeout(timer), resolve(true)));
    });
    expect(await kickedBack).toBe(false);
    const back = new Promise<void>((resolve) => sim.once('subscribed', () => resolve()));
    rogue.close();
    await back;
    const message = await sim.send(wsBot.id, 'sunqi', '年假有几天？');
    expect((await sim.finalFor(message)).via).toBe('ws_stream');
  });
});
