import { AnswerbridgeError } from '@answerbridge/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { ClosableCluster } from './closable-cluster';
import { ClosableRedis } from './closable-redis';
import { redisClusterTarget, redisTargetOptions, type RedisClusterTarget } from './redis-target';

export type RedisRole = 'producer' | 'worker';

/**
 * What every store and queue of libs/redis works on: one Redis (a single node, or the master Sentinel names)
 * or a Redis Cluster. Both speak the same commands; a cluster refuses a command or script whose keys are in
 * different slots (CROSSSLOT), which the key prefix's hash tag rules out (libs/config keyPrefixFor).
 */
export type RedisClient = Redis | Cluster;

/** Passwords given apart from REDIS_URL (the settings of the same names; an AppConfig fits). */
export interface RedisAuth {
  REDIS_PASSWORD?: string | undefined;
  /** The Sentinels' own password; unset, they take the Redis password (Bitnami's default). */
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}

/**
 * Producers (the HTTP gateway) fail fast when Redis is away, so the platform gets a 5xx and retries;
 * workers block on Redis and must wait for it instead (BullMQ requires maxRetriesPerRequest: null).
 */
export function createRedis(url: string, role: RedisRole, auth: RedisAuth = {}): RedisClient {
  const cluster = redisClusterTarget(url);
  if (cluster) return createCluster(cluster, role, auth);
  const target = redisTargetOptions(url);
  const password = auth.REDIS_PASSWORD;
  const sentinelPassword = auth.REDIS_SENTINEL_PASSWORD ?? password;
  const options: RedisOptions = {
    // A password given on its own (REDIS_PASSWORD, straight from a Secret: no URL encoding to get
    // wrong) counts where the URL carries none (for redis:// it goes into the URL below).
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...target.options,
    ...(auth.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: auth.REDIS_SENTINEL_PASSWORD } : {}),
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5_000,
    lazyConnect: false,
    // A producer under concurrent callbacks sends many small commands per tick: one write for all of
    // them costs both Node and Redis fewer syscalls (bench/gateway). Workers block, so they do not.
    enableAutoPipelining: role === 'producer',
  };
  return target.url === undefined
    ? new ClosableRedis(options)
    : new ClosableRedis(withPassword(target.url, password), options);
}

/**
 * A Redis Cluster client with the same failure behaviour per role as a single node (the per-node options
 * apply to each node's connection, the offline queue to the cluster as a whole).
 */
function createCluster(target: RedisClusterTarget, role: RedisRole, auth: RedisAuth): Cluster {
  // As for redis://: a password in the URL, else REDIS_PASSWORD (libs/config refuses both at once).
  const password = target.password ?? auth.REDIS_PASSWORD;
  return new ClosableCluster(target.nodes, {
    redisOptions: {
      ...(target.username ? { username: target.username } : {}),
      ...(password ? { password } : {}),
      ...(target.tls ? { tls: {} } : {}),
      maxRetriesPerRequest: role === 'worker' ? null : 1,
      connectTimeout: 5_000,
    },
    enableOfflineQueue: role === 'worker',
    enableAutoPipelining: role === 'producer',
    // Every read goes to the master that took the write: a replica may not have it yet (a claim just made).
    scaleReads: 'master',
    // Managed clusters with TLS (ElastiCache, MemoryDB) announce nodes by host names their certificates
    // carry; resolving them to IP addresses first would fail the certificate check, so the names are kept.
    ...(target.tls
      ? { dnsLookup: (address: string, done: (err: null, address: string) => void) => done(null, address) }
      : {}),
  });
}

/**
 * ioredis lets a URL's userinfo win over the options, even an empty password (`redis://app@host`), so a
 * separately given password goes into the URL itself, percent-encoded (ioredis decodes it).
 */
function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const parsed = new URL(url);
  if (parsed.password) return url;
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

export async function waitForRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new AnswerbridgeError('REDIS.UNAVAILABLE', 'redis connection ended before it became ready', true));
    };
    const cleanup = () => {
      redis.off('ready', onReady);
      redis.off('end', onEnd);
    };
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

/**
 * Whether Redis answers within `timeoutMs`, for readiness probes. A client that is not connected says
 * no at once: a worker-role client would queue the ping until Redis returns, and the probe would hang.
 */
export async function redisAnswers(redis: RedisClient, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      redis.ping().then(
        (pong) => pong === 'PONG',
        () => false,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
