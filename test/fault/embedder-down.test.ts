import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { loadFaqFile } from '@answerbridge/knowledge';
import { RedisDecisionLog } from '@answerbridge/redis';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const faq = loadFaqFile(sampleFaqPath);

/**
 * Degrade, don't fall silent: with the embedder down, the worker answers strong BM25 matches, escalates
 * the rest with a notice, and a circuit breaker stops each question from waiting for a dead server.
 */
describe('embedder down', () => {
  let sut: SystemUnderTest;
  let blackhole: Server;
  let requests = 0;

  beforeAll(async () => {
    // An "embedder" that accepts connections and never answers: every call costs a full timeout.
    blackhole = createServer(() => {
      requests++;
    });
    blackhole.listen(0, '127.0.0.1');
    await once(blackhole, 'listening');
    const address = blackhole.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // The keyword threshold an operator may choose (the Chinese default, 16, answers almost nothing from BM25
    // alone: bench/quality/REPORT.md), so that the keyword answers of the degraded path are exercised.
    sut = await startSystem({
      EMBEDDING_BASE_URL: `http://127.0.0.1:${port}/v1`,
      EMBEDDING_TIMEOUT_MS: '400',
      EMBEDDING_CACHE_SIZE: '0',
      EMBEDDER_BREAKER_FAILURES: '2',
      EMBEDDER_BREAKER_COOLDOWN_MS: '600000',
      KEYWORD_FALLBACK_THRESHOLD: '12',
    });
  });
  afterAll(async () => {
    await sut?.stop();
    blackhole.closeAllConnections();
    blackhole.close();
  });

  it('answers close keyword matches from BM25, escalates the rest, and stops calling the dead embedder', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    const asks = [
      ['u1', '如何修改登录密码', faq.find((e) => e.id === 'password-change')?.answer],
      ['u2', '今天天气怎么样', defaultMessages.escalate],
      ['u3', '公司 Wi-Fi 密码是多少', faq.find((e) => e.id === 'wifi')?.answer],
      ['u4', '每月几号发工资', faq.find((e) => e.id === 'payday')?.answer],
      ['u5', '离婚需要什么材料', defaultMessages.escalate],
    ] as const;
    for (const [user, question, expected] of asks) {
      await client.sendText(user, question);
      expect((await sut.simulator.wecom.nextMessageTo(user)).content).toBe(expected);
    }
    await sut.idle();
    const decisions = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(20);
    const reasons = Object.fromEntries(decisions.map((d) => [d.question, d.reason]));
    expect(reasons).toMatchObject({
      如何修改登录密码: 'keyword-fallback',
      今天天气怎么样: 'embedder-unavailable',
      离婚需要什么材料: 'embedder-unavailable',
    });
    // The circuit opened after two failures (each HTTP attempt and its one client retry count): the
    // dead server saw only those, not one request per question.
    expect(requests).toBeLessThanOrEqual(4);
  });
});
