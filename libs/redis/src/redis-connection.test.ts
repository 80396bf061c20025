import { describe, expect, it } from 'vitest';
import { RedisUrlError, createRedis, redisTargetOptions, redisUrlForDisplay } from './redis-connection';

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

describe('redisUrlForDisplay', () => {
  it.each([
    ['redis://:p%40ss@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['redis://app:pw@cache:6379', 'redis://app:***@cache:6379'],
    ['redis-sentinel://:pw@s1:26379,s2:26379/m', 'redis-sentinel://:***@s1:26379,s2:26379/m'],
    ['redis://cache:6379', 'redis://cache:6379'],
  ])('masks the password of %s', (url, shown) => {
    expect(redisUrlForDisplay(url)).toBe(shown);
  });
});

describe('createRedis passwords', () => {
  const optionsOf = (url: string, auth: Parameters<typeof createRedis>[2]) => {
    const redis = createRedis(url, 'producer', auth);
    redis.on('error', () => undefined); // nothing listens on port 1; only the options matter here
    redis.disconnect();
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
