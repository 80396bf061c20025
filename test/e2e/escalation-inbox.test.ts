import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { defaultEscalationMessages } from '@answerbridge/escalation';
import { ConsoleClient } from '../support/console-client';
import { runKb } from '../support/run-kb';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

interface ConversationView {
  conversationId: string;
  state: string;
  agentId: string | null;
  question: string;
  candidates: { question: string; confidence: number | null }[];
  history: { id: string; from: string; text: string; delivery?: string }[];
}

/** Human escalation end to end on real Redis, Milvus Lite, the local embedder and the WeCom simulator. */
describe('escalation to the agent inbox', () => {
  let sut: SystemUnderTest;
  let agent1: ConsoleClient;
  let agent2: ConsoleClient;
  const conversation = () => `wecom/${sut.bot.id}/asker1`;
  const question = '公司的股票期权怎么行权？';

  beforeAll(async () => {
    sut = await startSystem();
    [agent1, agent2] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'agent1'),
      ConsoleClient.login(sut.console.url, 'agent2'),
    ]);
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('escalates a low-confidence question, tells the asker, and queues it with the bot candidates', async () => {
    const events = await agent1.events();
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker1', question);
    expect((await sut.simulator.wecom.nextMessageTo('asker1')).content).toBe(defaultMessages.escalate);
    await events.next('escalated', conversation());
    events.close();
    const queue = await agent1.call<{ waiting: ConversationView[] }>('GET', '/api/conversations');
    const waiting = queue.body.waiting.find((c) => c.conversationId === conversation());
    expect(waiting).toMatchObject({ state: 'waiting', question, agentId: null });
    expect(waiting?.candidates.length).toBeGreaterThan(0);
    expect(waiting?.candidates[0]?.confidence).toBeLessThan(sut.config.ANSWER_THRESHOLD ?? 0.935);
  });

  it('lets exactly one of two agents claiming at the same moment win', async () => {
    const [a, b] = await Promise.all([
      agent1.call('POST', agent1.conversationPath(conversation(), 'claim')),
      agent2.call('POST', agent2.conversationPath(conversation(), 'claim')),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? agent1 : agent2;
    if (winner !== agent1) {
      // Keep agent1 as the owner for the rest of the story.
      await agent2.call('POST', agent2.conversationPath(conversation(), 'transfer'), { to: 'agent1' });
    }
    const view = await agent1.call<ConversationView>('GET', agent1.conversationPath(conversation()));
    expect(view.body).toMatchObject({ state: 'with-agent', agentId: 'agent1' });
    const joined = sut.simulator.wecom.sentTo('asker1').at(-1);
    expect(joined?.content).toMatch(/^客服 (小李|小王) 已接入/);
  });

  it("delivers the agent's reply through WeCom and routes the asker's next messages to the agent, not the bot", async () => {
    const events = await agent1.events();
    const before = sut.simulator.wecom.sentTo('asker1').at(-1)?.seq ?? 0;
    const sent = await agent1.call<{ id: string }>('POST', agent1.conversationPath(conversation(), 'reply'), {
      text: '股票期权的行权请在 HR 系统的「期权」页面申请。',
    });
    expect(sent.status).toBe(202);
    const delivered = await sut.simulator.wecom.nextMessageTo('asker1', before);
    expect(delivered.content).toBe('股票期权的行权请在 HR 系统的「期权」页面申请。');
    await events.next('delivery', conversation());

    await sut.simulator.wecomClient(sut.bot.id).sendText('asker1', '年假有几天？');
    const relayed = await events.next('message', conversation(), (e) => (e.entry as { from: string }).from === 'asker');
    expect((relayed.entry as { from: string; text: string }).text).toBe('年假有几天？');
    events.close();
    await sut.idle();
    // The bot stayed silent: nothing new reached the asker after the agent's reply.
    expect(sut.simulator.wecom.sentTo('asker1').at(-1)?.seq).toBe(delivered.seq);
    const view = await agent1.call<ConversationView>('GET', agent1.conversationPath(conversation()));
    expect(view.body.history.map((e) => e.from)).toEqual(['asker', 'bot', 'system', 'agent', 'asker']);
    expect(view.body.history.find((e) => e.from === 'agent')?.delivery).toBe('sent');
  });

  it('saves the answer as an FAQ draft that, once an admin approves it, the bot uses for someone else', async () => {
    const saved = await agent1.call<{ status: string; draft: { id: string } }>(
      'POST',
      agent1.conversationPath(conversation(), 'save-faq'),
      { question, answer: '股票期权的行权请在 HR 系统的「期权」页面申请。' },
    );
    expect(saved.status).toBe(201);
    expect(saved.body.status).toBe('draft');
    const admin = await ConsoleClient.login(sut.console.url, 'admin');
    expect((await admin.call('POST', `/api/admin/faq-drafts/${saved.body.draft.id}/approve`)).status).toBe(200);
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker2', '股票期权怎么行权');
    expect((await sut.simulator.wecom.nextMessageTo('asker2')).content).toBe(
      '股票期权的行权请在 HR 系统的「期权」页面申请。',
    );
  });

  it('keeps the saved entry when the knowledge base is reindexed from its file', async () => {
    const services = inject('services');
    const res = await runKb(['ingest', 'data/sample-faq.txt', '--bot', sut.bot.id], {
      MILVUS_ADDRESS: services.milvusAddress,
      EMBEDDING_BASE_URL: services.embeddingBaseUrl,
      REDIS_URL: services.redisUrl,
      QUEUE_PREFIX: sut.config.QUEUE_PREFIX,
      BOTS_FILE: sut.config.BOTS_FILE,
      DATABASE_URL: sut.config.DATABASE_URL,
    });
    expect(res.stdout).toContain('including 1 saved by agents');
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker4', '股票期权怎么行权');
    expect((await sut.simulator.wecom.nextMessageTo('asker4')).content).toBe(
      '股票期权的行权请在 HR 系统的「期权」页面申请。',
    );
  });

  it('resolving returns the conversation to the bot, which answers the next question itself', async () => {
    const before = sut.simulator.wecom.sentTo('asker1').at(-1)?.seq ?? 0;
    expect((await agent1.call('POST', agent1.conversationPath(conversation(), 'resolve'))).status).toBe(200);
    expect((await sut.simulator.wecom.nextMessageTo('asker1', before)).content).toBe(
      defaultEscalationMessages.resolved,
    );
    const after = sut.simulator.wecom.sentTo('asker1').at(-1)?.seq ?? 0;
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker1', '工资什么时候发？');
    expect((await sut.simulator.wecom.nextMessageTo('asker1', after)).content).toContain('每月 10 日');
    expect((await agent1.call('POST', agent1.conversationPath(conversation(), 'resolve'))).status).toBe(409);
  });

  it('keeps escalations and messages across a restart of every process', async () => {
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker3', '我要转人工');
    await sut.simulator.wecom.nextMessageTo('asker3');
    await sut.idle();
    await sut.restart();
    // A message while everything restarted reaches the inbox, not the bot.
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker3', '请尽快回复，谢谢');
    await sut.idle();
    const agent = await ConsoleClient.login(sut.console.url, 'agent2');
    const view = await agent.call<ConversationView>('GET', agent.conversationPath(`wecom/${sut.bot.id}/asker3`));
    expect(view.body).toMatchObject({ state: 'waiting' });
    expect(view.body.history.filter((e) => e.from === 'asker').map((e) => e.text)).toEqual([
      '我要转人工',
      '请尽快回复，谢谢',
    ]);
    expect((await agent.call('POST', agent.conversationPath(`wecom/${sut.bot.id}/asker3`, 'claim'))).status).toBe(200);
  });

  it('transfers a conversation to another agent, who can then reply', async () => {
    const agent2 = await ConsoleClient.login(sut.console.url, 'agent2');
    const held = `wecom/${sut.bot.id}/asker3`;
    expect((await agent2.call('POST', agent2.conversationPath(held, 'transfer'), { to: 'nobody' })).status).toBe(400);
    const beforeTransfer = sut.simulator.wecom.sentTo('asker3').at(-1)?.seq ?? 0;
    expect((await agent2.call('POST', agent2.conversationPath(held, 'transfer'), { to: 'agent1' })).status).toBe(200);
    const agent1again = await ConsoleClient.login(sut.console.url, 'agent1');
    const afterTransfer = (
      await agent1again.call<ConversationView & { history: { from: string; text: string }[] }>(
        'GET',
        agent1again.conversationPath(held),
      )
    ).body;
    expect(afterTransfer.agentId).toBe('agent1');
    // The note in the history names the agents as people see them, in Chinese; the asker is told who took over.
    expect(afterTransfer.history).toContainEqual(
      expect.objectContaining({ from: 'system', text: '会话已由 小王 转给 小李' }),
    );
    expect((await sut.simulator.wecom.nextMessageTo('asker3', beforeTransfer)).content).toBe(
      '已为您转接给客服 小李，请继续在这里描述您的问题。',
    );
    expect((await agent2.call('POST', agent2.conversationPath(held, 'reply'), { text: 'x' })).status).toBe(409);
    expect(
      (await agent1again.call('POST', agent1again.conversationPath(held, 'reply'), { text: '我来处理您的问题。' }))
        .status,
    ).toBe(202);
    expect(
      (await sut.simulator.wecom.nextMessageTo('asker3', sut.simulator.wecom.sentTo('asker3').at(-2)?.seq ?? 0))
        .content,
    ).toBeTruthy();
    // Hand back: the bot answers the next question.
    expect((await agent1again.call('POST', agent1again.conversationPath(held, 'handback'))).status).toBe(200);
    await sut.idle();
    const before = sut.simulator.wecom.sentTo('asker3').at(-1)?.seq ?? 0;
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker3', '怎么请假？');
    expect((await sut.simulator.wecom.nextMessageTo('asker3', before)).content).toContain('审批');
  });

  it('refuses what an agent may not do, with clear errors', async () => {
    const anonymous = await fetch(`${sut.console.url}/api/conversations`);
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${sut.console.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'agent1', password: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      error: 'CONSOLE.BAD_CREDENTIALS',
      message: expect.stringMatching(/^账号或密码错误/),
    });
    await sut.simulator.wecomClient(sut.bot.id).sendText('asker5', '转人工');
    await sut.simulator.wecom.nextMessageTo('asker5');
    await sut.idle();
    const held = `wecom/${sut.bot.id}/asker5`;
    const holder = await ConsoleClient.login(sut.console.url, 'agent2');
    expect((await holder.call('POST', holder.conversationPath(held, 'claim'))).status).toBe(200);
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    expect(
      (await agent.call('POST', agent.conversationPath(held, 'reply'), { text: 'hi' }, { csrf: false })).status,
    ).toBe(403);
    // A stable code for tools, and words for the agent, Chinese first (the page shows them as they are).
    expect((await agent.call('POST', agent.conversationPath(held, 'reply'), { text: 'hi' })).body).toMatchObject({
      error: 'ESCALATION.CONFLICT',
      message: expect.stringMatching(/^操作未执行：.*held by agent2/),
    });
    expect((await agent.call('POST', agent.conversationPath(held, 'claim'))).status).toBe(409);
    expect((await agent.call('GET', agent.conversationPath('wecom/nobody/none'))).status).toBe(404);
    const agent2again = await ConsoleClient.login(sut.console.url, 'agent2');
    expect((await agent2again.call('POST', agent2again.conversationPath(held, 'reply'), { text: '   ' })).status).toBe(
      400,
    );
    const spec = await (await fetch(`${sut.console.url}/api/openapi.json`)).json();
    expect(Object.keys((spec as { paths: object }).paths)).toContain('/api/conversations/{id}/claim');
  });
});

describe('unclaimed escalations', () => {
  let sut: SystemUnderTest;
  beforeAll(async () => {
    // Both agents' groups: a WeCom group robot, and a DingTalk group the app's robot was added to.
    sut = await startSystem(
      {
        ESCALATION_NOTIFY_AFTER_SECONDS: '1',
        AGENT_NOTIFY_WECOM_WEBHOOK_KEY: 'agents-group-key',
        AGENT_NOTIFY_DINGTALK_BOT: 'agentsding',
        AGENT_NOTIFY_DINGTALK_CONVERSATION_ID: 'cidAgentsGroup',
      },
      (botId) => [
        {
          id: 'agentsding',
          channel: 'dingtalk',
          clientId: 'dingagents',
          clientSecret: 'agents-secret',
          mode: 'http',
          knowledgeBase: botId,
          language: 'zh',
        },
      ],
    );
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it("notify the agents' groups and tell the asker when to expect an answer", async () => {
    const robot = new Promise<{ key: string; content: string }>((resolve) =>
      sut.simulator.wecom.once('robot', resolve),
    );
    await sut.simulator.wecomClient(sut.bot.id).sendText('lonely', '我要转人工');
    const first = await sut.simulator.wecom.nextMessageTo('lonely');
    const notice = await robot;
    expect(notice.key).toBe('agents-group-key');
    expect(notice.content).toContain('lonely');
    expect(notice.content).toContain('我要转人工');
    const dingNotice = await sut.simulator.dingtalk.nextMessageTo('cidAgentsGroup');
    expect(dingNotice).toMatchObject({ via: 'openapi-group', robotCode: 'dingagents', text: notice.content });
    await sut.idle();
    expect(sut.simulator.dingtalk.sent.filter((m) => m.conversationId === 'cidAgentsGroup')).toHaveLength(1);
    const told = await sut.simulator.wecom.nextMessageTo('lonely', first.seq);
    expect(told.content).toBe(
      defaultEscalationMessages.stillWaiting.replace('{minutes}', String(sut.config.ESCALATION_EXPECTED_WAIT_MINUTES)),
    );
  });
});
