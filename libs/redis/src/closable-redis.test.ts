import { freePort as closedPort } from '@answerbridge/testing';
import { describe, expect, it } from 'vitest';
import { ClosableRedis } from './closable-redis';

describe('a client disconnected while it waits to reconnect', () => {
  it('ends, and fails the commands it queued, instead of waiting forever', async () => {
    const client = new ClosableRedis({
      port: await closedPort(),
      maxRetriesPerRequest: null,
      retryStrategy: () => 60_000,
    });
    client.on('error', () => undefined); // connection refused, as expected
    await new Promise((resolve) => client.once('reconnecting', resolve));
    expect(client.status).toBe('reconnecting');
    const queued = client.get('anything');
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.disconnect();
    await ended;
    expect(client.status).toBe('end');
    await expect(queued).rejects.toThrow(/Connection is closed/);
  });

  it('makes duplicates (BullMQ blocking connections) of its own kind', async () => {
    const client = new ClosableRedis({ port: await closedPort(), lazyConnect: true });
    const copy = client.duplicate({ connectionName: 'blocking' });
    expect(copy).toBeInstanceOf(ClosableRedis);
    expect(copy.options.connectionName).toBe('blocking');
    expect(copy.options.port).toBe(client.options.port);
    client.disconnect();
    copy.disconnect();
  });

  it('still reconnects when asked to (disconnect(true) keeps the client)', async () => {
    const client = new ClosableRedis({
      port: await closedPort(),
      maxRetriesPerRequest: null,
      retryStrategy: () => 60_000,
    });
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('reconnecting', resolve));
    client.disconnect(true);
    expect(client.status).not.toBe('end');
    client.disconnect();
    expect(client.status).toBe('end');
  });
});
