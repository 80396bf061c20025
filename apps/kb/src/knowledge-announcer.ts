import type { KbSettings } from '@answerbridge/config';
import type { KnowledgeChange, KnowledgeChanges } from '@answerbridge/core';
import { RedisKnowledgeChanges, createRedis, waitForRedis, type RedisClient } from '@answerbridge/redis';

/** How long a command waits for Redis to tell the workers; past it they notice at their next check. */
const ANNOUNCE_TIMEOUT_MS = 2_000;

/**
 * Tells running workers what `kb` changed (a version activated, rows added), over the Redis the system
 * uses, so they stop searching the old version at once. Redis is optional for `kb`: when it does not
 * answer within two seconds the command goes on, and the workers see the change at their next check
 * (RESIDENT_SEARCH_CHECK_MS).
 */
export class KnowledgeAnnouncer implements KnowledgeChanges {
  private redis: RedisClient | null = null;
  private unreachable = false;

  constructor(private readonly config: KbSettings) {}

  async announce(change: KnowledgeChange): Promise<void> {
    if (this.unreachable) return;
    if (!this.redis) {
      this.redis = createRedis(this.config.REDIS_URL, 'producer', this.config);
      this.redis.on('error', () => undefined);
    }
    const redis = this.redis;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ANNOUNCE_TIMEOUT_MS);
    });
    try {
      const sent = await Promise.race([
        waitForRedis(redis).then(() => new RedisKnowledgeChanges(redis, this.config.QUEUE_PREFIX).announce(change)),
        timedOut,
      ]);
      if (sent === 'timeout') this.unreachable = true;
    } catch {
      this.unreachable = true;
    } finally {
      clearTimeout(timer);
    }
  }

  async listen(): Promise<() => Promise<void>> {
    // A command line announces; it has nothing to keep current.
    return async () => undefined;
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
    this.redis = null;
  }
}
