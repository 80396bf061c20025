/** REDIS_URL forms that name a Redis Cluster (libs/redis parses them). */
const CLUSTER_URL = /^rediss?-cluster:\/\//;

/** A prefix either has no braces at all, or exactly one non-empty {hash tag} (Redis uses the first one). */
const HASH_TAG = /^[^{}]*\{[^{}]+\}[^{}]*$/;

export const hashTagRule =
  'braces in a key prefix must hold one non-empty Redis Cluster hash tag, e.g. {ab}; or leave braces out';

/** Whether a prefix is usable as given: no braces, or one well-formed hash tag. */
export function isValidKeyPrefix(prefix: string): boolean {
  return !/[{}]/.test(prefix) || HASH_TAG.test(prefix);
}

/**
 * The prefix every Redis key and BullMQ queue of the deployment really starts with. On a Redis Cluster the
 * configured prefix is wrapped as a hash tag (`ab` → `{ab}`): every key of the deployment then hashes to one
 * slot, so every multi-key script (BullMQ's, the escalation store's five keys) works, whatever it combines.
 * A prefix that already holds a tag is used as given (a cluster behind a proxy, given a redis:// URL, needs
 * one too), and a single node or Sentinel keeps the prefix unchanged, so existing keys keep their names.
 */
export function keyPrefixFor(redisUrl: string, prefix: string): string {
  return CLUSTER_URL.test(redisUrl) && !/[{}]/.test(prefix) ? `{${prefix}}` : prefix;
}
