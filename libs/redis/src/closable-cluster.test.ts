import { freePort as closedPort } from '@answerbridge/testing';
import { describe, expect, it } from 'vitest';
import { ClosableCluster } from './closable-cluster';

describe('a cluster client disconnected while it waits to reconnect with no node left', () => {
  it('ends, and fails the commands it queued, instead of staying "disconnecting" forever', async () => {
    const cluster = new ClosableCluster([{ host: '127.0.0.1', port: await closedPort() }], {
      clusterRetryStrategy: () => 60_000,
      redisOptions: { maxRetriesPerRequest: null },
    });
    cluster.on('error', () => undefined); // no node answers, as expected
    await new Promise((resolve) => cluster.once('reconnecting', resolve));
    expect(cluster.status).toBe('reconnecting');
    expect(cluster.nodes()).toHaveLength(0);
    const queued = cluster.get('anything');
    const ended = new Promise((resolve) => cluster.once('end', resolve));
    cluster.disconnect();
    await ended;
    expect(cluster.status).toBe('end');
    await expect(queued).rejects.toThrow(/None of startup nodes is available/);
  });

  it('still reconnects when asked to (disconnect(true) keeps the client)', async () => {
    const cluster = new ClosableCluster([{ host: '127.0.0.1', port: await closedPort() }], {
      clusterRetryStrategy: () => 50,
    });
    cluster.on('error', () => undefined);
    await new Promise((resolve) => cluster.once('reconnecting', resolve));
    cluster.disconnect(true);
    expect(cluster.status).not.toBe('end');
    // It tries again (and fails again: no node), then a plain disconnect ends it.
    await new Promise((resolve) => cluster.once('reconnecting', resolve));
    const ended = new Promise((resolve) => cluster.once('end', resolve));
    cluster.disconnect();
    await ended;
  });

  it('makes duplicates (BullMQ blocking connections) of its own kind, on the same nodes', async () => {
    const port = await closedPort();
    const cluster = new ClosableCluster([{ host: '127.0.0.1', port }], { lazyConnect: true });
    const copy = cluster.duplicate([], { scaleReads: 'master' });
    expect(copy).toBeInstanceOf(ClosableCluster);
    expect(copy.options.scaleReads).toBe('master');
    expect(copy.options.lazyConnect).toBe(true);
    const elsewhere = cluster.duplicate([{ host: '127.0.0.1', port: port + 1 }]);
    expect(elsewhere).toBeInstanceOf(ClosableCluster);
    cluster.disconnect();
    copy.disconnect();
    elsewhere.disconnect();
  });
});
