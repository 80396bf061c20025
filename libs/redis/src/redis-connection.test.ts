import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedis } from './redis-connection';
import { RedisUrlError, redisClusterTarget, redisTargetOptions, redisUrlForDisplay } from './redis-target';

describe('redisTargetOptions', () => {
  it('passes redis:// and rediss:// URLs to ioredis as they are', () => {
    expect(redisTargetOptions('redis://:pw@cache:6379/2')).toEqual({ url: 'redis://:pw@cache:6379/2', options: {} });
    expect(redisTargetOptions('rediss://cache:6380')).toEqual({ url: 'rediss://cache:6380', options: {} });
  });

  it('turns a sentinel URL into sentinel options, password for master and sentinels alike', () => {
    expect(redisTargetOptions('redis-sentinel://:s%40cret@s1:26379,s2.redis.svc:26380/mymaster/3')).toEqual({
      options: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2.redis.svc', port: 26380 },
        ],
        name: 'mymaster',
        db: 3,
        password: 's@cret',
        sentinelPassword: 's@cret',
      },
    });
    expect(redisTargetOptions('redis-sentinel://app:pw@s1:26379/m').options).toMatchObject({
      username: 'app',
      sentinelUsername: 'app',
      password: 'pw',
    });
    expect(redisTargetOptions('redis-sentinel://s1:26379/m').options).toEqual({
      sentinels: [{ host: 's1', port: 26379 }],
      name: 'm',
    });
  });

  it.each([
    ['redis-sentinel://s1:26379', /masterName/],
    ['redis-sentinel://s1:26379/', /masterName/],
    ['redis-sentinel://s1/m', /"s1" is not host:port/],
    ['redis-sentinel://s1:26379,,s2:1/m', /"" is not host:port/],
    ['redis-sentinel://s1:99999/m', /"s1:99999" is not host:port/],
    ['redis-sentinel://s1:26379/m/x', /database "x"/],
    ['redis-sentinel://s1:26379/m/0/extra', /masterName/],
  ])('refuses %s with a clear error', (url, message) => {
    expect(() => redisTargetOptions(url)).toThrow(RedisUrlError);
    expect(() => redisTargetOptions(url)).toThrow(message);
  });

  it('never puts the password in its error messages', () => {
    expect(() => redisTargetOptions('redis-sentinel://:topsecret@s1/m')).toThrow(/^(?!.*topsecret)/s);
  });
});

describe('redisClusterTarget', () => {
  it('reads the startup nodes, the credentials and TLS from a cluster URL', () => {
    expect(redisClusterTarget('redis-cluster://n1:7000,10.0.0.2:7001,n3')).toEqual({
      nodes: [
        { host: 'n1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'n3', port: 6379 },
      ],
      tls: false,
    });
    expect(redisClusterTarget('rediss-cluster://app:p%40ss@clustercfg.ab.cache.amazonaws.com:6379/0')).toEqual({
      nodes: [{ host: 'clustercfg.ab.cache.amazonaws.com', port: 6379 }],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(redisClusterTarget('redis://cache:6379')).toBeNull();
    expect(redisClusterTarget('redis-sentinel://s1:26379/m')).toBeNull();
  });

  it.each([
    ['redis-cluster://n1:7000/2', /database 0 only/],
    ['redis-cluster://n1:7000/0/x', /database 0 only/],
    ['redis-cluster://n1:70000', /"n1:70000" is not host:port/],
    ['redis-cluster://n1:7000,,n2:7001', /"" is not host:port/],
    ['redis-cluster://:topsecret@n1:x', /"n1:x" is not host:port/],
  ])('refuses %s with a clear error that shows no password', (url, message) => {
    expect(() => redisClusterTarget(url)).toThrow(RedisUrlError);
    expect(() => redisClusterTarget(url)).toThrow(message);
    expect(() => redisClusterTarget(url)).toThrow(/^(?!.*topsecret)/s);
  });
});

describe('createRedis on a Redis Cluster', () => {
  const clusterOf = (url: string, role: 'producer' | 'worker', auth: Parameters<typeof createRedis>[2] = {}) => {
    const client = createRedis(url, role, auth);
    client.on('error', () => undefined); // nothing listens on port 1; only the options matter here
    client.disconnect();
    if (!(client instanceof Cluster)) throw new Error(`expected a Cluster for ${url}`);
    return client;
  };

  it('returns a Cluster for redis-cluster:// and a single Redis for the other forms', () => {
    expect(clusterOf('redis-cluster://127.0.0.1:1,127.0.0.1:2', 'worker')).toBeInstanceOf(Cluster);
    const single = createRedis('redis://127.0.0.1:1', 'worker');
    single.disconnect();
    expect(single).toBeInstanceOf(Redis);
  });

  it('gives each node the password, the ACL user and TLS; a worker waits for Redis, a producer fails fast', () => {
    const worker = clusterOf('rediss-cluster://app@127.0.0.1:1', 'worker', { REDIS_PASSWORD: 'p@ss' });
    expect(worker.options.redisOptions).toMatchObject({
      username: 'app',
      password: 'p@ss',
      tls: {},
      maxRetriesPerRequest: null,
    });
    expect(worker.options).toMatchObject({ enableOfflineQueue: true, scaleReads: 'master' });
    // TLS keeps the host names the nodes announce, which their certificates carry.
    expect(worker.options.dnsLookup).toBeTypeOf('function');
    const producer = clusterOf('redis-cluster://:inurl@127.0.0.1:1', 'producer');
    expect(producer.options.redisOptions).toMatchObject({ password: 'inurl', maxRetriesPerRequest: 1 });
    expect(producer.options.redisOptions).not.toHaveProperty('tls');
    expect(producer.options).toMatchObject({ enableOfflineQueue: false, enableAutoPipelining: true });
  });
});

describe('redisUrlForDisplay', () => {
  it.each([
    ['redis://:p%40ss@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['redis://app:pw@cache:6379', 'redis://app:***@cache:6379'],
    ['redis-sentinel://:pw@s1:26379,s2:26379/m', 'redis-sentinel://:***@s1:26379,s2:26379/m'],
    ['redis://cache:6379', 'redis://cache:6379'],
    ['rediss-cluster://app:pw@n1:7000,n2:7001', 'rediss-cluster://app:***@n1:7000,n2:7001'],
  ])('masks the password of %s', (url, shown) => {
    expect(redisUrlForDisplay(url)).toBe(shown);
  });
});

describe('createRedis passwords', () => {
  const optionsOf = (url: string, auth: Parameters<typeof createRedis>[2]) => {
    const redis = createRedis(url, 'producer', auth);
    redis.on('error', () => undefined); // nothing listens on port 1; only the options matter here
    redis.disconnect();
    if (!(redis instanceof Redis)) throw new Error(`expected a single Redis for ${url}`);
    return redis.options;
  };

  it('gives REDIS_PASSWORD to Redis and, unless they have their own, to the Sentinels', () => {
    expect(optionsOf('redis-sentinel://127.0.0.1:1/m', { REDIS_PASSWORD: 'a' })).toMatchObject({
      password: 'a',
      sentinelPassword: 'a',
    });
    expect(
      optionsOf('redis-sentinel://127.0.0.1:1/m', { REDIS_PASSWORD: 'a', REDIS_SENTINEL_PASSWORD: 'b' }),
    ).toMatchObject({ password: 'a', sentinelPassword: 'b' });
    expect(optionsOf('redis-sentinel://:inurl@127.0.0.1:1/m', { REDIS_SENTINEL_PASSWORD: 'b' })).toMatchObject({
      password: 'inurl',
      sentinelPassword: 'b',
    });
    expect(optionsOf('redis://127.0.0.1:1', { REDIS_PASSWORD: 'a' })).toMatchObject({ password: 'a' });
    // An ACL user named in the URL without a password still gets REDIS_PASSWORD, whatever its characters.
    expect(optionsOf('redis://app@127.0.0.1:1/2', { REDIS_PASSWORD: 'p@ss:w/rd%41' })).toMatchObject({
      username: 'app',
      password: 'p@ss:w/rd%41',
      db: 2,
    });
    expect(optionsOf('redis://:inurl@127.0.0.1:1', {})).toMatchObject({ password: 'inurl' });
  });
});
