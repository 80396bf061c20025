import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDurableRedis, startRedisCluster } from '@answerbridge/testing';
import { bootstrap as startWorker } from '@answerbridge/worker';
import { probeUntil } from '../support/probe-until';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/** A Redis the test can take away entirely and bring back with its data. */
interface KillableRedis {
  address: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A worker told to stop during or just after a Redis outage stops (a rolling update while Redis fails over, or
 * while a whole managed cluster restarts). Its BullMQ connections then wait to reconnect, and ioredis never ended
 * such a connection when it was disconnected: a single node's client waiting to reconnect, or a cluster client
 * with no node left in its pool, stayed so forever, and BullMQ's close waited for its end (libs/redis
 * ClosableRedis, ClosableCluster). Found when the system-of-record restart test hung whenever Redis stayed down
 * for more than a second.
 */
describe.each([
  { redis: 'a single Redis', start: (): Promise<KillableRedis> => startDurableRedis() },
  { redis: 'a whole Redis Cluster', start: (): Promise<KillableRedis> => startRedisCluster({ durable: true }) },
])('stopping a worker while $redis is away', ({ start }) => {
  let redis: KillableRedis;
  let sut: SystemUnderTest;
  let redisDown = false;
  beforeAll(async () => {
    redis = await start();
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
    // Its connections are now between attempts to reconnect: before ClosableRedis / ClosableCluster this never
    // resolved.
    await sut.worker.close();

    await redis.restart();
    redisDown = false;
    sut.worker = await startWorker(sut.config);
    await workerReadiness(200);
    await sut.simulator.wecomClient(sut.bot.id).sendText('after-outage', '年假有几天？');
    expect((await sut.simulator.wecom.nextMessageTo('after-outage')).content).toContain('年假');
  }, 90_000);
});
