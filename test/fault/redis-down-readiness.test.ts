import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaqFile } from '@answerbridge/knowledge';
import { startDurableRedis, type RestartableService } from '@answerbridge/testing';
import { probeUntil } from '../support/probe-until';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * Readiness follows Redis: with Redis gone every app's /readyz says 503 (so a load balancer stops sending
 * callbacks and Kubernetes stops counting the pod), and once Redis is back they are ready and answering.
 */
describe('readiness while Redis is down', () => {
  let redis: RestartableService;
  let sut: SystemUnderTest;
  beforeAll(async () => {
    redis = await startDurableRedis();
    sut = await startSystem({ REDIS_URL: redis.address });
  });
  afterAll(async () => {
    await sut?.stop();
    await redis?.stop();
  });

  const readyz = () => [
    `${sut.gateway.url}/readyz`,
    `${sut.worker.metricsUrl.replace(/\/metrics$/, '')}/readyz`,
    `${sut.console.url}/readyz`,
  ];

  it('goes unready when Redis dies and ready again when it returns, then answers', async () => {
    for (const url of readyz()) expect((await fetch(url)).status, url).toBe(200);
    await redis.kill();
    await Promise.all(readyz().map((url) => probeUntil(url, 503)));
    await redis.restart();
    await Promise.all(readyz().map((url) => probeUntil(url, 200)));
    await sut.simulator.wecomClient(sut.bot.id).sendText('after-outage', '年假有几天？');
    expect((await sut.simulator.wecom.nextMessageTo('after-outage')).content).toBe(
      loadFaqFile(sampleFaqPath).find((e) => e.question.startsWith('年假'))?.answer,
    );
  });
});
