import { ConfigurationError } from '@answerbridge/core';
import type { RedisOptions } from 'ioredis';

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
 * The password authenticates to the master and to the sentinels (the common Bitnami set-up). A Redis Cluster
 * (redis-cluster://) is not one Redis: redisClusterTarget reads that form, and createRedis asks it first.
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

/** A Redis Cluster as REDIS_URL names it: where to start, and how to authenticate to every node. */
export interface RedisClusterTarget {
  /** Startup nodes; the client learns every other node (and which slots it holds) from them. */
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  /** rediss-cluster://: TLS to every node. */
  tls: boolean;
}

const CLUSTER_SCHEME = /^(rediss?)-cluster:\/\//;

/** Whether REDIS_URL names a Redis Cluster (redis-cluster:// or rediss-cluster://). */
export function isRedisClusterUrl(url: string): boolean {
  return CLUSTER_SCHEME.test(url);
}

/**
 * A Redis Cluster written as one URL, like the Sentinel form, so every app keeps its single REDIS_URL:
 *
 *   redis-cluster://[[user]:password@]host1:6379[,host2:6379...]      rediss-cluster://… for TLS
 *
 * One node is enough (a managed cluster's configuration endpoint: AWS ElastiCache `clustercfg.…:6379`,
 * Alibaba Cloud 集群版's 直连地址); several let the client start while one of them is down. A port left out is
 * 6379. A cluster has database 0 only, so a path other than `/0` is refused. Null for any other URL.
 */
export function redisClusterTarget(url: string): RedisClusterTarget | null {
  const scheme = CLUSTER_SCHEME.exec(url);
  if (!scheme) return null;
  const rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  const auth = at >= 0 ? rest.slice(0, at) : '';
  const [hostList = '', db, ...extra] = rest.slice(at + 1).split('/');
  const where = `REDIS_URL ${scheme[0]}…@${hostList}`;
  if (extra.length > 0 || (db !== undefined && db !== '' && db !== '0'))
    throw new RedisUrlError(
      `${where}: a Redis Cluster has database 0 only; expected ${scheme[0]}[:password@]host:port[,host:port][/0]`,
    );
  const nodes = hostList.split(',').map((hostPort) => {
    const match = /^([^:,\s/]+)(?::(\d{1,5}))?$/.exec(hostPort);
    const port = Number(match?.[2] ?? 6379);
    if (!match?.[1] || port < 1 || port > 65_535)
      throw new RedisUrlError(`${where}: node "${hostPort}" is not host:port`);
    return { host: match[1], port };
  });
  // As in a redis:// URL: `user@` names an ACL user, `:password@` a password, `user:password@` both.
  const colon = auth.indexOf(':');
  const username = decodeURIComponent(colon >= 0 ? auth.slice(0, colon) : auth);
  const password = colon >= 0 ? decodeURIComponent(auth.slice(colon + 1)) : '';
  return {
    nodes,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme[1] === 'rediss',
  };
}
