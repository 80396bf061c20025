import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aibotMessages } from '@answerbridge/channel-wecom-aibot';
import { loadFaqFile } from '@answerbridge/knowledge';
import { WecomAibotSimulator, type AibotSimBot } from '@answerbridge/simulator';
import { createLogger } from '@answerbridge/observability';
import { appNodeArgs, freePort, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';
import { bootstrap as startWorker } from '@answerbridge/worker';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
const passwordAnswer = faq.find((e) => e.question.includes('修改登录密码'))?.answer;
const leaveAnswer = faq.find((e) => e.id === 'leave-request')?.answer;
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const LEASE_SECONDS = 3;

/**
 * Gateway processes killed with -9 under the AI bot: in long-connection mode the other replica takes the
 * bot's socket over within seconds (exactly one holder across replicas), and in URL回调 mode a replica
 * killed between the placeholder and the refreshes costs nothing (the stream state is in Redis).
 */
describe('the AI bot survives a gateway killed with -9', () => {
  let sut: SystemUnderTest;
  let sim: WecomAibotSimulator;
  let httpBot: AibotSimBot;
  let wsBot: AibotSimBot;
  const gateways: { process: ManagedProcess; url: string }[] = [];

  const startGatewayProcess = async (name: string) => {
    const port = await freePort();
    const gateway = await startProcess(
      name,
      process.execPath,
      appNodeArgs(workspaceRoot, 'gateway'),
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
      { cwd: workspaceRoot, env: { ...sut.env, GATEWAY_PORT: String(port) } },
    );
    const entry = { process: gateway, url: `http://127.0.0.1:${port}` };
    gateways.push(entry);
    return entry;
  };

  beforeAll(async () => {
    sim = new WecomAibotSimulator([], { refreshIntervalMs: 150 });
    await sim.listen();
    sut = await startSystem(
      {
        WECOM_AIBOT_RESPONSE_ORIGINS: sim.url,
        WECOM_AIBOT_WS_URL: sim.wsUrl,
        WECOM_AIBOT_LEASE_SECONDS: String(LEASE_SECONDS),
        WECOM_AIBOT_PING_SECONDS: '5',
      },
      (botId) => {
        httpBot = { id: `${botId}_ai`, mode: 'http', token: 'aibotToken', encodingAesKey: KEY };
        wsBot = { id: `${botId}_ws`, mode: 'ws', aibotId: `aib-${botId}`, secret: 'wsSecret' };
        sim.addBots([httpBot, wsBot]);
        return [
          { ...httpBot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' },
          { ...wsBot, channel: 'wecom-aibot', knowledgeBase: botId, language: 'zh' },
        ];
      },
    );
    // Only gateway processes (which the test kills) hold the long connection; the worker stays in-process.
    await sut.gateway.close();
    await startGatewayProcess('gateway-a');
    await startGatewayProcess('gateway-b');
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.process.stop('SIGKILL')));
    await sut?.stop();
    await sim?.close();
  });

  /** The gateway process whose pid the lease names (`<host>-<pid>-<uuid>`). */
  const holder = async () => {
    const token = await sut.redis.get(`${sut.config.QUEUE_PREFIX}:kv:relay:aibot:${wsBot.id}:holder`);
    const pid = Number(token?.split('-').at(-6));
    return gateways.find((g) => g.process.child.pid === pid && g.process.child.exitCode === null);
  };

  it('takes the long connection over within seconds when its holder is killed with -9, one holder at a time', async () => {
    await sim.waitForSubscribed(wsBot.id);
    const first = await holder();
    expect(first).toBeDefined();
    expect(sim.connectionsOf(wsBot.id)).toBe(1);
    const before = await sim.send(wsBot.id, 'zhou', '怎么更改登录密码?');
    expect((await sim.finalFor(before)).content).toBe(passwordAnswer);

    const killedAt = Date.now();
    const resubscribed = new Promise<number>((resolve) => sim.once('subscribed', () => resolve(Date.now())));
    first?.process.child.kill('SIGKILL');
    const takenOverMs = (await resubscribed) - killedAt;
    // The dead holder's lease lapses (3 s) and the other replica, trying every third of it, takes it.
    expect(takenOverMs).toBeLessThan((LEASE_SECONDS + LEASE_SECONDS / 3 + 3) * 1000);
    const second = await holder();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    expect(sim.connectionsOf(wsBot.id)).toBe(1);
    // Nobody was kicked: the new holder connected only once the old one's lease was gone.
    expect(sim.kicks).toBe(0);

    const after = await sim.send(wsBot.id, 'zhou', '怎么请假？');
    expect((await sim.finalFor(after)).content).toBe(leaveAnswer);
  });

  it('answers a stream whose placeholder came from a replica killed before the first refresh', async () => {
    const alive = gateways.filter((g) => g.process.child.exitCode === null && g.process.child.signalCode === null);
    const [victim, survivor] = alive.length >= 2 ? alive : [alive[0], await startGatewayProcess('gateway-c')];
    if (!victim || !survivor) throw new TypeError('two live gateways');
    sim.setGateways([victim.url]);
    const message = await sim.send(httpBot.id, 'wu', '怎么更改登录密码?');
    victim.process.child.kill('SIGKILL');
    sim.setGateways([victim.url, survivor.url]);
    const bubble = await sim.finalFor(message);
    expect(bubble.snapshots[0]).toBe(aibotMessages.zh.placeholder);
    expect(bubble).toMatchObject({ via: 'stream', content: passwordAnswer, expired: false });
    expect(message.refreshedBy).toContain(1);
    expect(message.refreshedBy).not.toContain(0);
  });

  it("delivers an answer queued for the old holder through the new one (a new message: the old socket's stream is gone)", async () => {
    const alive = () =>
      gateways.filter((g) => g.process.child.exitCode === null && g.process.child.signalCode === null);
    while (alive().length < 2) await startGatewayProcess(`gateway-${gateways.length}`);
    await sim.waitForSubscribed(wsBot.id);
    const current = await holder();
    // No worker for now: the question waits in the queue while its holder dies.
    await sut.worker.close();
    const message = await sim.send(wsBot.id, 'zheng', '怎么更改登录密码?');
    const placeholder = await sim.waitFor(
      (b) => b.inReplyTo === message.msgid && b.via === 'ws_stream',
      30_000,
      'the placeholder',
    );
    expect(placeholder.content).toBe(aibotMessages.zh.placeholder);
    const resubscribed = new Promise<void>((resolve) => sim.once('subscribed', () => resolve()));
    current?.process.child.kill('SIGKILL');
    await resubscribed;
    sut.worker = await startWorker(sut.config, createLogger({ name: 'worker', level: 'error' }));
    const pushed = await sim.waitFor((b) => b.via === 'ws_push' && b.userId === 'zheng', 60_000, 'the pushed answer');
    expect(pushed.content).toBe(passwordAnswer);
    await sut.idle();
    expect(sim.bubbles.filter((b) => b.userId === 'zheng' && b.content === passwordAnswer)).toHaveLength(1);
  });
});
