import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { kfKeys, type KfBot } from '@answerbridge/channel-wecom-kf';
import type { BotConfig } from '@answerbridge/config';
import { loadFaqFile } from '@answerbridge/knowledge';
import { WecomKfSimulator } from '@answerbridge/simulator';
import { ConsoleClient } from '../support/console-client';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const answerTo = (question: string) => faq.find((e) => e.question === question)?.answer;

const app = {
  corpId: 'wwkffaultcorp',
  agentId: 1000031,
  secret: 'kf-fault-app-secret',
  token: 'kfFaultToken',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
const KF = 'wkFAULTACCOUNT';

/**
 * 微信客服 under hostile input and faults, on the real gateway, worker, console and Redis: refused callbacks
 * reach neither the queue nor WeCom's API, a page fetched twice answers nothing twice, a failing sync_msg
 * is fetched again, and the 5-per-message rule is held by the sender before WeCom has to refuse.
 */
describe('微信客服 (wecom-kf) under hostile input and faults', () => {
  let sut: SystemUnderTest;
  let sim: WecomKfSimulator;
  const botId = () => `${sut.bot.id}_kf`;
  const callbackUrl = () => `${sut.gateway.url}/wecom-kf/${botId()}/callback`;
  const kv = (key: string) => `${sut.config.QUEUE_PREFIX}:kv:${key}`;

  beforeAll(async () => {
    sim = new WecomKfSimulator([{ ...app, openKfId: KF, callbackUrl: '' }]);
    const url = await sim.start();
    sut = await startSystem({ WECOM_KF_API_BASE_URL: url, GATEWAY_BODY_LIMIT_BYTES: '8192' }, (id) => [
      kfBot(`${id}_kf`, id),
    ]);
    sim.accounts[0]!.callbackUrl = callbackUrl();
  });
  afterAll(async () => {
    await sut?.stop();
    await sim?.close();
  });

  async function ask(user: string, text: string) {
    const next = sim.nextMessageTo(user, sim.sentTo(user).at(-1)?.seq ?? 0, 60_000);
    await sim.customerSends(KF, user, text);
    return next;
  }

  const post = async (url: string, body: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
    return { status: res.status, error: ((await res.json().catch(() => null)) as { error?: string } | null)?.error };
  };

  it('refuses bad signatures, replays, oversize and deeply nested bodies before fetching anything', async () => {
    // Start from a quiet account: the gateway's start-up fetch is done.
    await sim.fetched(KF, { since: 0 });
    const before = { queued: await sut.inspector.total(), syncs: sim.calls.syncMsg };
    const nested = `<xml>${'<a>'.repeat(60)}x${'</a>'.repeat(60)}</xml>`;
    const cases: [string, { url: string; body: string }, number, string | undefined][] = [
      ['a wrong signature', sim.callbackRequest(KF, { signWith: 'not-the-token' }), 401, 'WECOM_KF.BAD_SIGNATURE'],
      [
        'an hour-old timestamp',
        sim.callbackRequest(KF, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
        401,
        'WECOM_KF.STALE_TIMESTAMP',
      ],
      ['a signed message nested 60 deep', sim.callbackRequest(KF, { plaintext: nested }), 400, 'WECOM_KF.BAD_XML'],
      [
        'an envelope nested 1000 deep',
        { url: sim.callbackRequest(KF).url, body: `<xml>${'<a>'.repeat(1000)}${'</a>'.repeat(1000)}</xml>` },
        400,
        'WECOM_KF.BAD_XML',
      ],
      [
        'a body over the limit',
        { url: sim.callbackRequest(KF).url, body: `<xml><Encrypt>${'A'.repeat(20_000)}</Encrypt></xml>` },
        413,
        undefined,
      ],
      [
        'an unknown bot',
        { ...sim.callbackRequest(KF), url: sim.callbackRequest(KF).url.replace(`/${botId()}/`, '/nobody/') },
        404,
        undefined,
      ],
    ];
    for (const [name, request, status, code] of cases) {
      const res = await post(request.url, request.body);
      expect(res.status, name).toBe(status);
      if (code) expect(res.error, name).toBe(code);
    }
    // A genuine callback for an account no bot serves is answered (WeCom would retry a refusal) and ignored.
    const foreign = sim.callbackRequest(KF, {
      plaintext: `<xml><ToUserName><![CDATA[${app.corpId}]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[T]]></Token><OpenKfId><![CDATA[wkNOBODY]]></OpenKfId></xml>`,
    });
    expect((await post(foreign.url, foreign.body)).status).toBe(200);
    expect(sim.calls.syncMsg).toBe(before.syncs);
    expect(await sut.inspector.total()).toBe(before.queued);
  });

  it('answers once when a callback is delivered twice and when a page is fetched again after the cursor is lost', async () => {
    const user = 'wmTwice';
    expect((await ask(user, '怎么请假？')).content).toBe(answerTo('怎么请假？'));
    const replay = sim.callbackRequest(KF);
    const fetchedAgain = sim.fetched(KF);
    expect((await sim.deliver(replay)).status).toBe(200);
    expect((await sim.deliver(replay)).status).toBe(200);
    await fetchedAgain;
    // Redis loses the cursor: the next fetch reads the account's log from its start, pages already answered included.
    await sut.redis.del(kv(kfKeys(app.corpId, KF).cursor));
    const fromStart = sim.fetched(KF);
    await sim.callback(KF);
    await fromStart;
    expect((await ask(user, '工资什么时候发？')).content).toBe(answerTo('工资什么时候发？'));
    await sut.idle();
    expect(sim.positions(KF)).toContain(0);
    expect(sim.sentTo(user).map((m) => m.content)).toEqual([answerTo('怎么请假？'), answerTo('工资什么时候发？')]);
  });

  it('fetches again when sync_msg fails, and without the callback token when WeCom refuses it', async () => {
    const user = 'wmFaulty';
    const withoutToken = sim.syncCalls.filter((c) => !c.withToken).length;
    sim.injectSyncFaults({ httpStatus: 502 });
    expect((await ask(user, '年假有多少天？')).content).toBe(answerTo('年假有多少天？'));
    sim.injectSyncFaults({ errcode: 95007 });
    expect((await ask(user, '忘记打卡怎么办？')).content).toBe(answerTo('忘记打卡怎么办？'));
    await sut.idle();
    expect(sim.sentTo(user)).toHaveLength(2);
    expect(sim.syncCalls.filter((c) => !c.withToken).length).toBeGreaterThan(withoutToken);
  });

  it("holds an agent to WeCom's 5 messages per customer message, failing the sixth without calling WeCom", async () => {
    const user = 'wmTalkative';
    const conversation = `wecom-kf/${botId()}/${user}`;
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    const events = await agent.events();
    expect((await ask(user, '公司的股票期权怎么行权？')).content).toBe(defaultMessages.escalate);
    await events.next('escalated', conversation);
    expect((await agent.call('POST', agent.conversationPath(conversation, 'claim'))).status).toBe(200);
    await sim.nextMessageTo(user, sim.sentTo(user).at(-1)?.seq ?? 0);
    // The escalation notice and "agent joined" took two of the five: three replies go out, the fourth cannot.
    for (let i = 1; i <= 3; i++) {
      const after = sim.sentTo(user).at(-1)?.seq ?? 0;
      await agent.call('POST', agent.conversationPath(conversation, 'reply'), { text: `第 ${i} 条回复` });
      expect((await sim.nextMessageTo(user, after)).content).toBe(`第 ${i} 条回复`);
    }
    const sendsBefore = sim.calls.sendMsg;
    const refused = await agent.call<{ id: string }>('POST', agent.conversationPath(conversation, 'reply'), {
      text: '第 4 条回复',
    });
    const failed = await events.next('delivery', conversation, (e) => e.delivery === 'failed');
    expect(failed.entryId).toBe(refused.body.id);
    expect(sim.calls.sendMsg).toBe(sendsBefore);
    const dead = (await sut.inspector.deadLetters()).find((d) => (d.data as { text?: string }).text === '第 4 条回复');
    expect(dead?.reason).toMatch(/5 messages/);
    expect(dead?.attempts).toBe(1);
    expect(sim.sentTo(user)).toHaveLength(5);

    // The customer writes again: five more are allowed.
    await sim.customerSends(KF, user, '还在吗？');
    await events.next('message', conversation, (e) => (e.entry as { text: string }).text === '还在吗？');
    const after = sim.sentTo(user).at(-1)?.seq ?? 0;
    await agent.call('POST', agent.conversationPath(conversation, 'reply'), { text: '在的' });
    expect((await sim.nextMessageTo(user, after)).content).toBe('在的');
    events.close();
  });
});

function kfBot(id: string, knowledgeBase: string): BotConfig {
  const handover: KfBot['handover'] = 'inbox';
  return { id, channel: 'wecom-kf', ...app, openKfId: KF, handover, knowledgeBase, language: 'zh' };
}
