import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-connection';

/** A Redis MATCH pattern that matches `text` literally (ids may hold *, ?, [ or \\). */
export const globLiteral = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * The keys matching `pattern`, page by page, with SCAN (never KEYS: it blocks Redis on a big keyspace). A
 * cluster node scans only the slots it holds, so on a cluster every master is scanned in turn.
 */
export async function* scanKeys(redis: RedisClient, pattern: string): AsyncIterable<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) yield* node.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>;
}
