import { z } from 'zod';
import type { KnowledgeChange, KnowledgeChanges } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';

const changeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('rows-added'),
    knowledgeBase: z.string().min(1),
    collection: z.string().min(1),
    pks: z.array(z.string()),
  }),
  z.object({ kind: z.literal('activated'), knowledgeBase: z.string().min(1), collection: z.string().min(1) }),
]);

/** Parses one announced change; anything else (another version's format, garbage) is null. */
export function parseKnowledgeChange(message: string): KnowledgeChange | null {
  try {
    const parsed = changeSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Knowledge changes over Redis pub/sub: the console and `kb` announce, every worker hears. A message lost
 * while a worker is disconnected is caught up by the worker's periodic check of the active version.
 */
export class RedisKnowledgeChanges implements KnowledgeChanges {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  get channel(): string {
    return `${this.prefix}:knowledge-changes`;
  }

  async announce(change: KnowledgeChange): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(change));
  }

  async listen(onChange: (change: KnowledgeChange) => void, onGap?: () => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    // A duplicate has no listeners of its own: without one every failed reconnect is an unhandled error.
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const change = parseKnowledgeChange(message);
      if (change) onChange(change);
    });
    await sub.subscribe(this.channel);
    // Ready again after this point is a reconnection (ioredis resubscribes): what was announced meanwhile is lost.
    if (onGap) sub.on('ready', onGap);
    // Disconnect, not QUIT: a subscriber has nothing to flush, and QUIT waits for a Redis that may be away.
    return async () => {
      sub.disconnect();
    };
  }
}
