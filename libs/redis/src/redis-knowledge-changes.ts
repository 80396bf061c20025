import { z } from 'zod';
import type { KnowledgeChange, KnowledgeChanges } from '@answerbridge/core';
import type { RedisClient } from './redis-connection';
import { subscribeChannel } from './redis-subscription';

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

  listen(onChange: (change: KnowledgeChange) => void, onGap?: () => void): Promise<() => Promise<void>> {
    return subscribeChannel(
      this.redis,
      this.channel,
      (message) => {
        const change = parseKnowledgeChange(message);
        if (change) onChange(change);
      },
      onGap,
    );
  }
}
