import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { loadFaqFile } from '@answerbridge/knowledge';
import { RedisDecisionLog } from '@answerbridge/redis';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const passwordAnswer = faq.find((e) => e.question.includes('修改登录密码'))?.answer;

describe('a WeCom question answered end to end (real Redis, Milvus Lite, the local embedder)', () => {
  let sut: SystemUnderTest;
  beforeAll(async () => {
    sut = await startSystem();
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('answers "怎么更改登录密码?" with the FAQ answer about 修改密码, exactly once', async () => {
    expect(passwordAnswer).toContain('修改密码');
    const client = sut.simulator.wecomClient(sut.bot.id);
    const started = Date.now();
    const res = await client.sendText('zhangsan', '怎么更改登录密码?');
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    // The ack must not wait for the answer.
    expect(sut.simulator.wecom.sent).toHaveLength(0);
    const reply = await sut.simulator.wecom.nextMessageTo('zhangsan');
    expect(reply.content).toBe(passwordAnswer);
    expect(reply.agentId).toBe(sut.bot.agentId);
    await sut.idle();
    expect(sut.simulator.wecom.sentTo('zhangsan')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('answers a callback WeCom delivers three times exactly once', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    const request = client.buildRequest(client.textMessageXml('lisi', '年假有几天？'));
    // Two deliveries race each other; the third arrives after the first were handled.
    const first = await Promise.all([client.deliver(request), client.deliver(request)]);
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    await sut.simulator.wecom.nextMessageTo('lisi');
    await sut.idle();
    expect((await client.deliver(request)).status).toBe(200);
    await sut.idle();
    const sent = sut.simulator.wecom.sentTo('lisi');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.content).toBe(faq.find((e) => e.question.startsWith('年假'))?.answer);
    const inbound = (await sut.inspector.counts()).inbound;
    expect(inbound?.completed).toBeGreaterThanOrEqual(1);
  });

  it('sends the fallback message, not a wrong answer, for a question the FAQ does not cover', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    for (const [user, question] of [
      ['wangwu', '今天北京天气怎么样？'],
      ['zhaoliu', '帮我写一首关于春天的诗'],
    ] as const) {
      expect((await client.sendText(user, question)).status).toBe(200);
      const reply = await sut.simulator.wecom.nextMessageTo(user);
      expect(reply.content).toBe(defaultMessages.escalate);
    }
  });

  it('offers "did you mean" for a vague question and answers the number the person replies with', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    await client.sendText('wuyi', '密码');
    const suggestion = await sut.simulator.wecom.nextMessageTo('wuyi');
    expect(suggestion.content).toMatch(
      new RegExp(
        `^${defaultMessages.suggestHeader}\\n1\\. 如何修改登录密码？\\n2\\. .+\\n3\\. .+\\n${defaultMessages.suggestFooter}$`,
      ),
    );
    await client.sendText('wuyi', '1');
    const answer = await sut.simulator.wecom.nextMessageTo('wuyi', suggestion.seq);
    expect(answer.content).toBe(passwordAnswer);
  });

  it('greets without searching, and hands over on 转人工', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    await client.sendText('zhengshi', '你好');
    const greeting = await sut.simulator.wecom.nextMessageTo('zhengshi');
    expect(greeting.content).toBe(defaultMessages.greeting);
    await client.sendText('zhengshi', '我要转人工');
    expect((await sut.simulator.wecom.nextMessageTo('zhengshi', greeting.seq)).content).toBe(defaultMessages.handover);
  });

  it('hands over a request for a person that no phrase names, recognized by its embedding', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    await client.sendText('qianjiu', '我不太想和机器人聊天');
    expect((await sut.simulator.wecom.nextMessageTo('qianjiu')).content).toBe(defaultMessages.handover);
    await sut.idle();
    const records = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(100);
    expect(records.find((r) => r.question === '我不太想和机器人聊天')).toMatchObject({
      kind: 'escalate',
      reason: 'asked-for-human',
    });
  });

  it('shows the stages and decisions moving on /metrics', async () => {
    /** The value of the first sample of `metric` carrying all `labels` (in any order), or 0. */
    const sample = (text: string, metric: string, labels: string[]) => {
      const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && labels.every((x) => l.includes(x)));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const gateway = await (await fetch(`${sut.gateway.url}/metrics`)).text();
    expect(sample(gateway, 'answerbridge_callbacks_total', ['channel="wecom"', 'result="accepted"'])).toBeGreaterThan(
      0,
    );
    expect(sample(gateway, 'answerbridge_callbacks_total', ['channel="wecom"', 'result="duplicate"'])).toBeGreaterThan(
      0,
    );
    expect(
      sample(gateway, 'answerbridge_stage_duration_seconds_count', ['stage="enqueue"', 'outcome="ok"']),
    ).toBeGreaterThan(0);
    const worker = await (await fetch(`${sut.worker.metricsUrl}/metrics`)).text();
    expect(sample(worker, 'answerbridge_decisions_total', ['kind="answer"'])).toBeGreaterThan(0);
    expect(sample(worker, 'answerbridge_decisions_total', ['kind="escalate"'])).toBeGreaterThan(0);
    expect(
      sample(worker, 'answerbridge_stage_duration_seconds_count', ['stage="search"', 'outcome="ok"']),
    ).toBeGreaterThan(0);
    expect(
      sample(worker, 'answerbridge_stage_duration_seconds_count', ['stage="send"', 'outcome="ok"']),
    ).toBeGreaterThan(0);
    expect(
      sample(worker, 'answerbridge_stage_duration_seconds_count', ['stage="embed"', 'outcome="ok"']),
    ).toBeGreaterThan(0);
    expect(
      sample(worker, 'answerbridge_stage_duration_seconds_count', ['stage="milvus"', 'outcome="ok"']),
    ).toBeGreaterThan(0);
    expect(sample(worker, 'answerbridge_queue_jobs', ['queue="inbound"', 'state="completed"'])).toBeGreaterThan(0);
    expect(worker).toMatch(/answerbridge_escalations\{[^}]*measure="count"[^}]*\} \d+/);
  });

  it('records every decision with its scores', async () => {
    await sut.idle();
    const records = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(100);
    const password = records.find((r) => r.question === '怎么更改登录密码?');
    expect(password).toMatchObject({ kind: 'answer', reason: 'above-answer-threshold', entryId: 'password-change' });
    expect(password?.scores[0]?.entryId).toBe('password-change');
    expect(password?.confidence).toBeGreaterThanOrEqual(password?.thresholds.answer ?? 1);
    expect(records.find((r) => r.question === '今天北京天气怎么样？')).toMatchObject({ kind: 'escalate' });
  });

  it('answers a non-text message with a polite "text only" reply', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    const image =
      `<xml><ToUserName><![CDATA[${sut.bot.corpId}]]></ToUserName><FromUserName><![CDATA[sunqi]]></FromUserName>` +
      `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[image]]></MsgType>` +
      `<PicUrl><![CDATA[http://example.invalid/a.png]]></PicUrl><MediaId><![CDATA[m1]]></MediaId><MsgId>${client.nextMsgId()}</MsgId><AgentID>${sut.bot.agentId}</AgentID></xml>`;
    expect((await client.deliver(client.buildRequest(image))).status).toBe(200);
    expect((await sut.simulator.wecom.nextMessageTo('sunqi')).content).toBe(defaultMessages.nonText);
  });

  it('answers a person typing in the simulator chat page (its /api/chat and event stream)', async () => {
    const events = await fetch(`${sut.simulator.url}/api/events`);
    const reader = events.body!.getReader();
    const res = await fetch(`${sut.simulator.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ botId: sut.bot.id, from: 'pageuser', text: '工卡丢了怎么办' }),
    });
    expect(await res.json()).toEqual({ status: 200 });
    let stream = '';
    while (!stream.includes('"toUser":"pageuser"')) {
      const { value, done } = await reader.read();
      if (done) break;
      stream += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(stream).toContain('挂失');
    const bad = await fetch(`${sut.simulator.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"botId":"nope"}',
    });
    expect(bad.status).toBe(400);
  });

  it('echoes the URL verification challenge as bare plaintext', async () => {
    const res = await sut.simulator.wecomClient(sut.bot.id).verifyUrl();
    expect(res.status).toBe(200);
    expect(res.body).toBe(res.expected);
  });

  it('recovers from an expired token and a rate limit on message/send, still replying once', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    sut.simulator.wecom.expireAllTokens();
    sut.simulator.wecom.injectFaults({ errcode: 45009 });
    const tokensBefore = sut.simulator.wecom.calls.gettoken;
    expect((await client.sendText('zhouba', '怎么请假？')).status).toBe(200);
    const reply = await sut.simulator.wecom.nextMessageTo('zhouba');
    expect(reply.content).toBe(faq.find((e) => e.question === '怎么请假？')?.answer);
    await sut.idle();
    expect(sut.simulator.wecom.sentTo('zhouba')).toHaveLength(1);
    expect(sut.simulator.wecom.calls.gettoken).toBe(tokensBefore + 1);
  });
});
