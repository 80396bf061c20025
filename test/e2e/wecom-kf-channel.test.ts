import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { kfKeys, kfMessageCatalog, type KfBot } from '@answerbridge/channel-wecom-kf';
import type { BotConfig } from '@answerbridge/config';
import { defaultEscalationMessages } from '@answerbridge/escalation';
import { loadFaqFile } from '@answerbridge/knowledge';
import { WecomKfSimulator, type SentKfMessage } from '@answerbridge/simulator';
import { ConsoleClient } from '../support/console-client';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const answerTo = (question: string) => {
  const entry = faq.find((e) => e.question === question);
  if (!entry) throw new Error(`no FAQ entry "${question}"`);
  return entry.answer;
};
/** Ten questions of the sample FAQ, asked as written: each has one direct answer. */
const questions = [
  '如何修改登录密码？',
  '账号被锁定了怎么解锁？',
  '公司 Wi-Fi 密码是多少？',
  '打印机怎么添加？',
  '电脑坏了怎么报修？',
  '年假有多少天？',
  '怎么请假？',
  '工资什么时候发？',
  '忘记打卡怎么办？',
  '怎么报销差旅费？',
];
const escalating = '公司的股票期权怎么行权？';

const app = {
  corpId: 'wwkfe2ecorp',
  agentId: 1000021,
  secret: 'kf-e2e-app-secret',
  token: 'kfE2eToken',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
const INBOX_KF = 'wkE2EINBOX';
const POOL_KF = 'wkE2EPOOL';
const SERVICER_KF = 'wkE2ESERVICER';

/**
 * 微信客服 end to end on the real gateway, worker, console and Redis, with the kf simulator as WeCom: the
 * callback only says "pull", the gateway fetches with sync_msg, the worker answers through send_msg.
 */
describe('微信客服 (wecom-kf) channel', () => {
  let sut: SystemUnderTest;
  let sim: WecomKfSimulator;
  let agent: ConsoleClient;
  const inboxBot = () => `${sut.bot.id}_kfin`;

  beforeAll(async () => {
    sim = new WecomKfSimulator([
      { ...app, openKfId: INBOX_KF, callbackUrl: '' },
      { ...app, openKfId: POOL_KF, callbackUrl: '', servicers: [{ userid: 'zhangsan', status: 0 }] },
      { ...app, openKfId: SERVICER_KF, callbackUrl: '', servicers: [{ userid: 'lisi', status: 0 }] },
    ]);
    const url = await sim.start();
    sut = await startSystem({ WECOM_KF_API_BASE_URL: url }, (botId) => [
      kfBot(`${botId}_kfin`, INBOX_KF, 'inbox', botId),
      kfBot(`${botId}_kfpool`, POOL_KF, 'wecom-servicers', botId),
      { ...kfBot(`${botId}_kfsvc`, SERVICER_KF, 'wecom-servicers', botId), servicerUserId: 'lisi' },
    ]);
    // One callback URL serves the corp's 微信客服: the gateway picks the bot by the event's OpenKfId.
    for (const account of sim.accounts) account.callbackUrl = `${sut.gateway.url}/wecom-kf/${inboxBot()}/callback`;
    agent = await ConsoleClient.login(sut.console.url, 'agent1');
  });
  afterAll(async () => {
    await sut?.stop();
    await sim?.close();
  });

  /** The customer writes and waits for the bot's next message to them. */
  async function ask(account: string, user: string, text: string): Promise<SentKfMessage> {
    const after = sim.sentTo(user).at(-1)?.seq ?? 0;
    const next = sim.nextMessageTo(user, after, 60_000);
    await sim.customerSends(account, user, text);
    return next;
  }

  it('answers 50 messages of 5 customers once each across a gateway restart, the cursor never going back', async () => {
    const customers = ['wmCust1', 'wmCust2', 'wmCust3', 'wmCust4', 'wmCust5'];
    // Each customer waits for each answer, as people do (and as the 5-per-message rule expects).
    const converse = (from: number, to: number) =>
      Promise.all(
        customers.map(async (user) => {
          for (const q of questions.slice(from, to)) expect((await ask(INBOX_KF, user, q)).content).toBe(answerTo(q));
        }),
      );
    await converse(0, 4);

    // WeCom's callbacks cannot reach the gateway while it restarts: these five messages only sit in the log.
    for (const account of sim.accounts) account.callbackUrl = 'http://127.0.0.1:9/down';
    const waiting = customers.map((user) => sim.nextMessageTo(user, sim.sentTo(user).at(-1)?.seq ?? 0, 60_000));
    for (const user of customers) await sim.customerSends(INBOX_KF, user, questions[4] ?? '');
    await sut.restart();
    for (const account of sim.accounts) account.callbackUrl = `${sut.gateway.url}/wecom-kf/${inboxBot()}/callback`;
    // No callback came for them: the restarted gateway fetched them when it started.
    for (const reply of await Promise.all(waiting)) expect(reply.content).toBe(answerTo(questions[4] ?? ''));

    await converse(5, 10);
    await sut.idle();
    for (const user of customers) {
      expect(sim.sentTo(user).map((m) => m.content)).toEqual(questions.map(answerTo));
      expect(sim.sentTo(user).every((m) => m.via === 'send_msg')).toBe(true);
      expect(sim.stateOf(INBOX_KF, user)).toBe(1);
    }
    const positions = sim.positions(INBOX_KF);
    expect(positions.length).toBeGreaterThan(1);
    positions.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(positions[i - 1] ?? 0));
    // The stored cursor: past every message of the log.
    const stored = await sut.redis.get(`${sut.config.QUEUE_PREFIX}:kv:${kfKeys(app.corpId, INBOX_KF).cursor}`);
    expect(sim.cursorPosition((JSON.parse(stored ?? '{}') as { cursor: string }).cursor)).toBe(sim.logLength(INBOX_KF));
  });

  it('welcomes a customer entering the session through send_msg_on_event', async () => {
    const next = sim.nextMessageTo('wmNewcomer');
    await sim.customerEnters(INBOX_KF, 'wmNewcomer');
    expect(await next).toMatchObject({ via: 'welcome', content: kfMessageCatalog.zh.welcome });
  });

  it('escalates into the inbox: the agent answers through send_msg, the bot stays quiet, then serves again', async () => {
    const user = 'wmInboxer';
    const conversation = `wecom-kf/${inboxBot()}/${user}`;
    const events = await agent.events();
    expect((await ask(INBOX_KF, user, escalating)).content).toBe(defaultMessages.escalate);
    await events.next('escalated', conversation);
    expect((await agent.call('POST', agent.conversationPath(conversation, 'claim'))).status).toBe(200);
    expect((await sim.nextMessageTo(user, sim.sentTo(user).at(-1)?.seq ?? 0)).content).toMatch(/^客服 .+ 已接入/);

    let after = sim.sentTo(user).at(-1)?.seq ?? 0;
    const reply = '股票期权的行权请在 HR 系统的「期权」页面申请。';
    expect((await agent.call('POST', agent.conversationPath(conversation, 'reply'), { text: reply })).status).toBe(202);
    expect(await sim.nextMessageTo(user, after)).toMatchObject({ content: reply, via: 'send_msg' });
    await events.next('delivery', conversation);

    after = sim.sentTo(user).at(-1)?.seq ?? 0;
    await sim.customerSends(INBOX_KF, user, '好的，谢谢');
    const relayed = await events.next(
      'message',
      conversation,
      (e) => (e.entry as { from: string; text: string }).text === '好的，谢谢',
    );
    expect((relayed.entry as { from: string }).from).toBe('asker');
    expect((relayed.entry as { text: string }).text).toBe('好的，谢谢');
    await sut.idle();
    expect(sim.sentTo(user).at(-1)?.seq).toBe(after);
    // The session stayed with the "智能助手" the whole time: agents speak through it.
    expect(sim.stateOf(INBOX_KF, user)).toBe(1);

    expect((await agent.call('POST', agent.conversationPath(conversation, 'handback'))).status).toBe(200);
    expect((await sim.nextMessageTo(user, after)).content).toBe(defaultEscalationMessages.handedBack);
    expect((await ask(INBOX_KF, user, '怎么请假？')).content).toBe(answerTo('怎么请假？'));
    events.close();
  });

  it("hands over to WeCom's servicer pool when so configured, and the bot serves again when the session ends", async () => {
    const user = 'wmPooler';
    const notice = sim.nextMessageTo(user);
    await sim.customerSends(POOL_KF, user, escalating);
    expect(await notice).toMatchObject({ via: 'trans', content: kfMessageCatalog.zh.handedToPool });
    expect(sim.stateOf(POOL_KF, user)).toBe(2);
    await sut.idle();
    // No inbox conversation: WeCom's people have it.
    const queue = await agent.call<{ waiting: { conversationId: string }[] }>('GET', '/api/conversations');
    expect(queue.body.waiting.map((c) => c.conversationId)).not.toContain(`wecom-kf/${sut.bot.id}_kfpool/${user}`);

    await sim.servicerTakes(POOL_KF, user, 'zhangsan');
    await sim.servicerWrites(POOL_KF, user, '您好，我是张三');
    await sim.customerSends(POOL_KF, user, '期权的事情麻烦了');
    await sim.servicerEnds(POOL_KF, user);
    // The next question is the bot's again; nothing was sent while the servicer held the session.
    expect((await ask(POOL_KF, user, '怎么请假？')).content).toBe(answerTo('怎么请假？'));
    await sut.idle();
    expect(sim.sentTo(user).map((m) => m.via)).toEqual(['trans', 'send_msg']);
    expect(sim.stateOf(POOL_KF, user)).toBe(1);
    expect(
      await sut.redis.get(`${sut.config.QUEUE_PREFIX}:kv:${kfKeys(app.corpId, POOL_KF).withServicer(user)}`),
    ).toBeNull();
  });

  it('hands over to the servicer the bot names, who ends the session for the bot to serve again', async () => {
    const user = 'wmNamed';
    const notice = sim.nextMessageTo(user);
    await sim.customerSends(SERVICER_KF, user, escalating);
    expect(await notice).toMatchObject({ via: 'trans', content: kfMessageCatalog.zh.handedToServicer });
    expect(sim.stateOf(SERVICER_KF, user)).toBe(3);
    await sim.servicerEnds(SERVICER_KF, user);
    expect((await ask(SERVICER_KF, user, '怎么请假？')).content).toBe(answerTo('怎么请假？'));
    expect(sim.sentTo(user).map((m) => m.via)).toEqual(['trans', 'send_msg']);
  });
});

function kfBot(id: string, openKfId: string, handover: KfBot['handover'], knowledgeBase: string): BotConfig {
  return { id, channel: 'wecom-kf', ...app, openKfId, handover, knowledgeBase, language: 'zh' };
}
