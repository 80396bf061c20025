import type { RedisClient } from './redis-connection';

/**
 * Subscribes to one pub/sub channel on a connection of its own (a subscribed connection can do nothing
 * else) and hands each message to `onMessage`; `onReconnect` is called when the connection comes back after
 * a loss (ioredis resubscribes by itself; what was published meanwhile is gone). Returns a function that
 * unsubscribes and closes the connection.
 */
export async function subscribeChannel(
  redis: RedisClient,
  channel: string,
  onMessage: (message: string) => void,
  onReconnect?: () => void,
): Promise<() => Promise<void>> {
  const sub = redis.duplicate();
  // A duplicate does not inherit listeners: without one, every failed reconnect while Redis is away is an
  // "Unhandled error event". The main connection logs.
  sub.on('error', () => undefined);
  sub.on('message', (from: string, message: string) => {
    if (from === channel) onMessage(message);
  });
  await sub.subscribe(channel);
  // Ready again after the first subscription is a reconnection.
  if (onReconnect) sub.on('ready', onReconnect);
  return async () => {
    await sub.quit().catch(() => undefined);
  };
}
