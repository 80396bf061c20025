import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaqFile } from '@answerbridge/knowledge';
import { appNodeArgs, freePort, startProcess, workspaceRoot, type ManagedProcess } from '@answerbridge/testing';
import { WecomCallbackClient } from '@answerbridge/simulator';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);

/**
 * Scale-out on one machine: two gateways and three workers as separate processes on real Redis, Milvus
 * Lite and the local embedder. A burst through both gateways (each callback to both, as a load balancer retrying
 * would) gets exactly one reply per message, and every worker takes a share.
 */
describe('two gateways and three workers', () => {
  let sut: SystemUnderTest;
  const processes: ManagedProcess[] = [];
  const gateways: string[] = [];
  const metricsUrls: string[] = [];

  const tsxArgs = (app: string) => appNodeArgs(workspaceRoot, app);

  beforeAll(async () => {
    sut = await startSystem({ LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '4' }, undefined, undefined, {
      inProcessWorker: false,
    });
    await sut.gateway.close();
    for (let i = 0; i < 2; i++) {
      const port = i === 0 ? Number(new URL(sut.gateway.url).port) : await freePort();
      processes.push(
        await startProcess(
          `gateway-${i}`,
          process.execPath,
          tsxArgs('gateway'),
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
          { cwd: workspaceRoot, env: { ...sut.env, GATEWAY_PORT: String(port) } },
        ),
      );
      gateways.push(`http://127.0.0.1:${port}`);
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      processes.push(
        await startProcess(
          `worker-${i}`,
          process.execPath,
          tsxArgs('worker'),
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
          { cwd: workspaceRoot, env: { ...sut.env, METRICS_PORT: String(port) } },
        ),
      );
      metricsUrls.push(`http://127.0.0.1:${port}/metrics`);
    }
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await sut?.stop();
  });

  it('answers every message exactly once, with all workers sharing the load', async () => {
    const questions = [
      ['怎么请假？', 'leave-request'],
      ['年假有几天？', 'annual-leave'],
      ['工资什么时候发？', 'payday'],
      ['会议室怎么预订？', 'meeting-room'],
    ] as const;
    const users = Array.from({ length: 60 }, (_, i) => ({
      user: `so${i}`,
      question: questions[i % questions.length] ?? questions[0],
    }));
    await Promise.all(
      users.map(async ({ user, question }, i) => {
        const [first, second] = i % 2 === 0 ? gateways : [...gateways].reverse();
        const client = new WecomCallbackClient(first ?? '', sut.bot);
        const request = client.buildRequest(client.textMessageXml(user, question[0]));
        const viaSecond = { ...request, url: request.url.replace(first ?? '', second ?? '') };
        const [a, b] = await Promise.all([
          sut.simulator.wecomClient(sut.bot.id).deliver(request),
          sut.simulator.wecomClient(sut.bot.id).deliver(viaSecond),
        ]);
        expect([a.status, b.status]).toEqual([200, 200]);
      }),
    );
    for (const { user, question } of users)
      expect((await sut.simulator.wecom.nextMessageTo(user, 0, 60_000)).content).toBe(
        faq.find((e) => e.id === question[1])?.answer,
      );
    await sut.idle();
    for (const { user } of users) expect(sut.simulator.wecom.sentTo(user), user).toHaveLength(1);
    const answeredBy = await Promise.all(
      metricsUrls.map(async (url) => {
        const text = await (await fetch(url)).text();
        return Number(/answerbridge_decisions_total\{kind="answer",service="worker"\} (\d+)/.exec(text)?.[1] ?? 0);
      }),
    );
    expect(answeredBy.reduce((a, b) => a + b, 0)).toBe(users.length);
    expect(answeredBy.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });
});
