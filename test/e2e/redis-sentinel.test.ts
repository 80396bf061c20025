import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaqFile } from '@answerbridge/knowledge';
import { createRedis, waitForRedis } from '@answerbridge/redis';
import { startRedisWithSentinel, type RunningService } from '@answerbridge/testing';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

/** The whole system on a password-protected Redis found through Sentinel, as the Helm chart deploys it. */
describe('Redis through Sentinel', () => {
  let sentinel: RunningService;
  let sut: SystemUnderTest;
  beforeAll(async () => {
    sentinel = await startRedisWithSentinel('m@ster:pass', 'sentinel-own-pass');
    // The passwords as the Helm chart gives them: from a Secret, apart from the URL, the Sentinel's its own.
    sut = await startSystem({
      REDIS_URL: sentinel.address.replace(/\/\/[^@]*@/, '//'),
      REDIS_PASSWORD: 'm@ster:pass',
      REDIS_SENTINEL_PASSWORD: 'sentinel-own-pass',
    });
  });
  afterAll(async () => {
    await sut?.stop();
    await sentinel?.stop();
  });

  it('answers a WeCom question with every app connected through the sentinel', async () => {
    expect(sut.config.REDIS_URL).toMatch(/^redis-sentinel:\/\/127\.0\.0\.1:\d+\/answerbridge$/);
    // No hash tag added off a cluster: a Sentinel deployment's existing keys keep their names.
    expect(sut.config.QUEUE_PREFIX).toBe(sut.env['QUEUE_PREFIX']);
    expect(sut.config.QUEUE_PREFIX).not.toMatch(/[{}]/);
    const answer = loadFaqFile(sampleFaqPath).find((e) => e.question.startsWith('年假'))?.answer;
    await sut.simulator.wecomClient(sut.bot.id).sendText('sentinel-user', '年假有几天？');
    const reply = await sut.simulator.wecom.nextMessageTo('sentinel-user');
    expect(reply.content).toBe(answer);
    expect((await fetch(new URL('/readyz', sut.gateway.url))).status).toBe(200);
    expect((await fetch(new URL('/readyz', sut.worker.metricsUrl))).status).toBe(200);
    expect((await fetch(new URL('/readyz', sut.console.url))).status).toBe(200);
  });

  it('takes the password inside the URL as well', async () => {
    const viaUrl = createRedis(sentinel.address, 'producer', { REDIS_SENTINEL_PASSWORD: 'sentinel-own-pass' });
    try {
      await waitForRedis(viaUrl);
      expect(await viaUrl.ping()).toBe('PONG');
    } finally {
      viaUrl.disconnect();
    }
  });

  it('reports a wrong password as an authentication error, not a hang', async () => {
    const wrong = createRedis(sentinel.address, 'producer', { REDIS_SENTINEL_PASSWORD: 'wrong' });
    try {
      const [error] = (await once(wrong, 'error')) as [Error];
      expect(error.message).toMatch(/WRONGPASS/);
    } finally {
      wrong.disconnect();
    }
  });
});
