import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import { loadFaqFile } from '@answerbridge/knowledge';
import {
  startDurableRedis,
  startRestartableMilvusLite,
  workspaceRoot,
  type RestartableService,
} from '@answerbridge/testing';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);
/** Each question and the entry that answers it (null: the bot hands it to a person). */
const expectedEntry: Record<string, string | null> = {
  '怎么请假？': 'leave-request',
  '年假有几天？': 'annual-leave',
  '工资什么时候发？': 'payday',
  今天天气怎么样: null,
  '公司 Wi-Fi 密码是多少': 'wifi',
  '怎么报销差旅费？': 'travel-reimbursement',
  我要转人工: null,
  '会议室怎么预订？': 'meeting-room',
};
const questions = Object.keys(expectedEntry);

/**
 * The CI-sized fault run: a burst on both channels while Redis (AOF, fsync always) is killed and
 * restarted, Milvus Lite is killed and restarted, WeCom's API answers 5xx and rate limits, and every
 * WeCom callback arrives three times. Per message: answered or escalated, never lost, never twice.
 */
describe('burst under faults', () => {
  let sut: SystemUnderTest;
  let redis: RestartableService;
  let milvus: RestartableService;
  const N = inject('faultBurstSize');

  beforeAll(async () => {
    [redis, milvus] = await Promise.all([startDurableRedis(), startRestartableMilvusLite()]);
    const dingtalk = (id: string): DingTalkBotConfig => ({
      id: `${id}d`,
      channel: 'dingtalk',
      clientId: `ding${id}`,
      clientSecret: `s-${id}`,
      mode: 'stream',
      knowledgeBase: id,
      language: 'zh',
    });
    sut = await startSystem(
      {
        REDIS_URL: redis.address,
        MILVUS_ADDRESS: milvus.address,
        SIMULATOR_DINGTALK_REDELIVER_MS: '2000',
        DINGTALK_STREAM_WATCHDOG_SECONDS: '5',
        JOB_LOCK_MS: '3000',
      },
      (id) => [dingtalk(id)],
    );
    await Promise.all(sut.gateway.connections.map(({ connection }) => connection.ready?.()));
  });
  afterAll(async () => {
    await sut?.stop();
    await Promise.all([redis?.stop(), milvus?.stop()]);
  });

  /** WeCom retries a callback that was not answered 200; the same bytes every time. */
  async function deliverUntilAccepted(request: { url: string; body: string }): Promise<void> {
    const client = sut.simulator.wecomClient(sut.bot.id);
    // Up to 30 s: Redis restarting from its AOF on two busy cores (the unit project runs beside this file) can keep
    // the gateway refusing for over 10 s; what is asserted is that each message is answered exactly once.
    for (let attempt = 0; attempt < 120; attempt++) {
      const res = await client.deliver(request).catch(() => ({ status: 0 }));
      if (res.status === 200) return;
      await new Promise((r) => setTimeout(r, 250)); // WeCom's own retry pause, scaled down
    }
    throw new Error('callback never accepted');
  }

  it('answers or escalates every message exactly once', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    const dt = sut.config.bots.find((b) => b.channel === 'dingtalk') as DingTalkBotConfig;
    sut.simulator.wecom.injectFaults({ httpStatus: 502 }, { errcode: 45009 }, { httpStatus: 503 }, { errcode: -1 });
    const sends: Promise<void>[] = [];
    const started = Date.now();
    for (let i = 0; i < N; i++) {
      const question = questions[i % questions.length] ?? '';
      const request = client.buildRequest(client.textMessageXml(`fw${i}`, question));
      // Three deliveries of each callback, as WeCom does when it is not answered in time.
      sends.push(deliverUntilAccepted(request), deliverUntilAccepted(request), deliverUntilAccepted(request));
      sut.simulator.dingtalk.push(dt.id, { from: `fd${i}`, text: question });
      if (i === Math.floor(N / 3)) {
        await redis.kill();
        await redis.restart();
      }
      if (i === Math.floor((2 * N) / 3)) {
        await milvus.kill();
        await milvus.restart();
      }
    }
    await Promise.all(sends);

    const expected = (question: string) => {
      const id = expectedEntry[question];
      if (id) return faq.find((e) => e.id === id)?.answer;
      // A request for a person gets the handover wording; anything else handed over, the fallback.
      return question === '我要转人工' ? defaultMessages.handover : defaultMessages.escalate;
    };
    const outcome = { answered: 0, escalated: 0, wrong: 0, lost: 0, duplicated: 0 };
    const tally = (question: string, replies: string[]) => {
      if (replies.length === 0) outcome.lost++;
      else if (replies.length > 1) outcome.duplicated++;
      if (replies[0] === undefined) return;
      if (replies[0] !== expected(question)) outcome.wrong++;
      else if (expectedEntry[question]) outcome.answered++;
      else outcome.escalated++;
    };
    for (let i = 0; i < N; i++) {
      await sut.simulator.wecom.nextMessageTo(`fw${i}`, 0, 120_000).catch(() => undefined);
      await sut.simulator.dingtalk.nextMessageTo(`fd${i}`, 0, 120_000).catch(() => undefined);
    }
    await sut.idle();
    for (let i = 0; i < N; i++) {
      const question = questions[i % questions.length] ?? '';
      tally(
        question,
        sut.simulator.wecom.sentTo(`fw${i}`).map((m) => m.content),
      );
      tally(
        question,
        sut.simulator.dingtalk.sent.filter((m) => m.to === `fd${i}`).map((m) => m.text),
      );
    }
    const report = {
      messages: 2 * N,
      wecomDeliveries: 3 * N,
      seconds: Math.round((Date.now() - started) / 1000),
      ...outcome,
      faults: [
        'redis kill -9 + restart (AOF, fsync always)',
        'milvus-lite kill -9 + restart',
        'WeCom API 502, 45009, 503, -1',
        'every WeCom callback delivered 3 times',
        'DingTalk frames redelivered when unacked',
      ],
    };
    mkdirSync(path.join(workspaceRoot, 'test/output'), { recursive: true });
    writeFileSync(path.join(workspaceRoot, 'test/output/fault-burst.json'), `${JSON.stringify(report, null, 2)}\n`);
    expect(outcome).toEqual({
      answered: expect.any(Number),
      escalated: expect.any(Number),
      wrong: 0,
      lost: 0,
      duplicated: 0,
    });
    expect(outcome.answered + outcome.escalated).toBe(2 * N);
  });
});
