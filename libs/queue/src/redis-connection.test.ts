import { describe, expect, it } from 'vitest';
import { RedisUrlError, redisTargetOptions } from './redis-connection';

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
    expect(redisTargetOptions('redis-sentinel://app:pw@s1:26379/m').options).toMatchObject({ username: 'app', sentinelUsername: 'app', password: 'pw' });
    expect(redisTargetOptions('redis-sentinel://s1:26379/m').options).toEqual({ sentinels: [{ host: 's1', port: 26379 }], name: 'm' });
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
