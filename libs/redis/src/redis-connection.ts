import { AnswerbridgeError, ConfigurationError } from '@answerbridge/core';
import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'producer' | 'worker';

export class RedisUrlError extends ConfigurationError {
  constructor(message: string) {
    super('CONFIG.REDIS_URL', message);
  }
}

const SENTINEL_SCHEME = 'redis-sentinel:';

/**
 * Where Redis is, as ioredis options. `redis://` and `rediss://` go to ioredis as they are; a Sentinel
 * deployment (what the Helm chart's external Redis usually is) is written as one URL too, so every
 * app keeps a single REDIS_URL setting:
 *
 *   redis-sentinel://[:password@]host1:26379[,host2:26379...]/masterName[/db]
 *
 * The password authenticates to the master and to the sentinels (the common Bitnami set-up).
 */
export function redisTargetOptions(url: string): { url?: string; options: RedisOptions } {
  if (!url.startsWith(SENTINEL_SCHEME)) return { url, options: {} };
  const rest = url.slice(SENTINEL_SCHEME.length).replace(/^\/\//, '');
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const [hostList = '', masterName = '', db, ...extra] = rest.slice(at + 1).split('/');
  const where = `REDIS_URL ${SENTINEL_SCHEME}//…@${hostList}/${masterName}`;
  if (!masterName || extra.length > 0)
    throw new RedisUrlError(`${where}: expected redis-sentinel://[:password@]host:port[,host:port]/masterName[/db]`);
  const sentinels = hostList.split(',').map((hostPort) => {
    const match = /^([^:,\s]+):(\d{1,5})$/.exec(hostPort);
    const port = Number(match?.[2]);
    if (!match?.[1] || port < 1 || port > 65_535)
      throw new RedisUrlError(`${where}: sentinel "${hostPort}" is not host:port`);
    return { host: match[1], port };
  });
  if (db !== undefined && !/^\d+$/.test(db)) throw new RedisUrlError(`${where}: database "${db}" is not a number`);
  const colon = auth.indexOf(':');
  const username = colon >= 0 ? decodeURIComponent(auth.slice(0, colon)) : '';
  const password = decodeURIComponent(colon >= 0 ? auth.slice(colon + 1) : auth);
  return {
    options: {
      sentinels,
      name: decodeURIComponent(masterName),
      ...(db === undefined ? {} : { db: Number(db) }),
      ...(username ? { username, sentinelUsername: username } : {}),
      ...(password ? { password, sentinelPassword: password } : {}),
    },
  };
}

/** The URL with any password masked, for messages a person reads. */
export function redisUrlForDisplay(url: string): string {
  return url.replace(/^([a-z-]+:\/\/[^/@]*?:)[^/@]*@/, '$1***@');
}

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
export function createRedis(url: string, role: RedisRole, auth: RedisAuth = {}): Redis {
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
  return target.url === undefined ? new Redis(options) : new Redis(withPassword(target.url, password), options);
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

export async function waitForRedis(redis: Redis): Promise<void> {
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
export async function redisAnswers(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
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
