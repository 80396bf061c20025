import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RunningRedisCluster } from '@answerbridge/testing';
import { bootstrap as startWorker } from '@answerbridge/worker';
import { probeUntil } from '../support/probe-until';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * As worker-stop-after-redis-outage, on a Redis Cluster: once every node is gone, ioredis's Cluster waits to
 * reconnect with an empty pool, and disconnecting it never ended it, so BullMQ's close waited forever
 * (libs/redis ClosableCluster). A whole managed cluster restarting (a version upgrade without replicas) is
 * when a rolling update meets it.
 */
describe('stopping a worker while the whole Redis Cluster is away', () => {
  let cluster: RunningRedisCluster;
  let sut: SystemUnderTest;
  let clusterDown = false;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, durable: true });
    sut = await startSystem({ REDIS_URL: cluster.address });
  });
  afterAll(async () => {
    // Cleaning up needs Redis: a failure while it was down must not hang here too.
    if (clusterDown) await cluster.restart();
    await sut?.stop();
    await cluster?.stop();
  });

  const workerReadiness = (status: number) =>
    probeUntil(`${sut.worker.metricsUrl.replace(/\/metrics$/, '')}/readyz`, status);

  it('stops while its connections wait for the cluster, and a new worker answers once it is back', async () => {
    await cluster.kill();
    clusterDown = true;
    await workerReadiness(503);
    // Its connections now wait to reconnect to a cluster with no node left: before ClosableCluster this
    // never resolved.
    await sut.worker.close();

    await cluster.restart();
    clusterDown = false;
    sut.worker = await startWorker(sut.config);
    await workerReadiness(200);
    await sut.simulator.wecomClient(sut.bot.id).sendText('after-cluster-outage', '年假有几天？');
    expect((await sut.simulator.wecom.nextMessageTo('after-cluster-outage')).content).toContain('年假');
  }, 90_000);
});
