import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDurableRedis, type RestartableService } from '@answerbridge/testing';
import { bootstrap as startWorker } from '@answerbridge/worker';
import { probeUntil } from '../support/probe-until';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * A worker told to stop during or just after a Redis outage stops (a rolling update while Redis fails over).
 * Its BullMQ connections then wait to reconnect; ioredis never ended such a connection when it was
 * disconnected, and BullMQ's close waited for that end forever (libs/redis ClosableRedis). Found when the
 * system-of-record restart test hung whenever Redis stayed down for more than a second.
 */
describe('stopping a worker while Redis is away', () => {
  let redis: RestartableService;
  let sut: SystemUnderTest;
  let redisDown = false;
  beforeAll(async () => {
    redis = await startDurableRedis();
    sut = await startSystem({ REDIS_URL: redis.address });
  });
  afterAll(async () => {
    // Cleaning up needs Redis: a failure while it was down must not hang here too.
    if (redisDown) await redis.restart();
    await sut?.stop();
    await redis?.stop();
  });

  const workerReadiness = (status: number) =>
    probeUntil(`${sut.worker.metricsUrl.replace(/\/metrics$/, '')}/readyz`, status);

  it('stops while its connections wait for Redis, and a new worker answers once Redis is back', async () => {
    await redis.kill();
    redisDown = true;
    await workerReadiness(503);
    // Its connections are now between attempts to reconnect: before ClosableRedis this never resolved.
    await sut.worker.close();

    await redis.restart();
    redisDown = false;
    sut.worker = await startWorker(sut.config);
    await workerReadiness(200);
    await sut.simulator.wecomClient(sut.bot.id).sendText('after-outage', '年假有几天？');
    expect((await sut.simulator.wecom.nextMessageTo('after-outage')).content).toContain('年假');
  }, 60_000);
});
