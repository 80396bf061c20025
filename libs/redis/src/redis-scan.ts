import type { Redis } from 'ioredis';

/** A Redis MATCH pattern that matches `text` literally (ids may hold *, ?, [ or \). */
export const globLiteral = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** The keys matching `pattern`, page by page, with SCAN (never KEYS: it blocks Redis on a big keyspace). */
export function scanKeys(redis: Redis, pattern: string): AsyncIterable<string[]> {
  return redis.scanStream({ match: pattern, count: 1000 }) as AsyncIterable<string[]>;
}
