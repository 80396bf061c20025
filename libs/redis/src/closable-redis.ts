import { Redis, type RedisOptions } from 'ioredis';
// ioredis's own handler for a closed socket: what it runs when a client in "wait" is disconnected.
import { closeHandler } from 'ioredis/built/redis/event_handler.js';

/**
 * An ioredis client that ends when it is disconnected while waiting to reconnect.
 *
 * ioredis 5 clears the reconnect timer of such a client but has no socket left to close, so it never emits
 * "end" and never fails the commands queued for it (ioredis#1247; the open fix is ioredis#2169). BullMQ's
 * Worker.close() waits for the "end" of its blocking connection (bullmq#4656), so a worker stopped within
 * the reconnect delay after a Redis outage waited forever instead of shutting down. Here such a disconnect
 * runs the close handler ioredis runs for a client that never connected: the client ends, its queue fails.
 * BullMQ duplicates the connection it is given for its blocking commands, so duplicates are of this class too.
 */
export class ClosableRedis extends Redis {
  override disconnect(reconnect = false): void {
    const stranded = !reconnect && this.status === 'reconnecting';
    super.disconnect(reconnect);
    if (stranded && this.status === 'reconnecting') closeHandler(this)();
  }

  override duplicate(override?: Partial<RedisOptions>): ClosableRedis {
    return new ClosableRedis({ ...this.options, ...override });
  }
}
