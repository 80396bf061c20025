import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseBotsFile } from './index';

const bot = {
  id: 'hr',
  channel: 'wecom',
  corpId: 'ww1',
  agentId: 1000002,
  token: 't',
  encodingAesKey: 'a'.repeat(43),
  secret: '${HR_SECRET}',
};

function botsFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'ab-cfg-')), 'bots.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig({ BOTS_FILE: botsFile({ bots: [bot] }), HR_SECRET: 's3cret', GATEWAY_PORT: '8080' }, {});
    expect(config.GATEWAY_PORT).toBe(8080);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.bots[0]).toMatchObject({ id: 'hr', secret: 's3cret' });
  });

  it("takes a Sentinel REDIS_URL and an agents' DingTalk group on a DingTalk bot", () => {
    const ding = { id: 'ding', channel: 'dingtalk', clientId: 'dingkey', clientSecret: 's', mode: 'stream' };
    const config = loadConfig(
      {
        BOTS_FILE: botsFile({ bots: [bot, ding] }),
        HR_SECRET: 's',
        REDIS_URL: 'redis-sentinel://:pw@s1:26379,s2:26379/mymaster',
        AGENT_NOTIFY_DINGTALK_BOT: 'ding',
        AGENT_NOTIFY_DINGTALK_CONVERSATION_ID: 'cidAgents',
      },
      {},
    );
    expect(config).toMatchObject({ REDIS_URL: 'redis-sentinel://:pw@s1:26379,s2:26379/mymaster' });
    // The channels' settings are not libs/config's: they reach the channel registry in the snapshot.
    expect(config.environment).toMatchObject({
      AGENT_NOTIFY_DINGTALK_BOT: 'ding',
      AGENT_NOTIFY_DINGTALK_CONVERSATION_ID: 'cidAgents',
    });
    expect(config.environment).not.toHaveProperty('REDIS_URL');
  });

  describe('the key prefix (QUEUE_PREFIX) on each kind of Redis', () => {
    const prefixWith = (env: Record<string, string>) =>
      loadConfig({ HR_SECRET: 's', BOTS_FILE: botsFile({ bots: [bot] }), ...env }, {}).QUEUE_PREFIX;

    it('keeps the key names of a single node and of Sentinel as they always were (their data stays found)', () => {
      expect(prefixWith({})).toBe('ab');
      expect(prefixWith({ REDIS_URL: 'redis://cache:6379/2', QUEUE_PREFIX: 'hr' })).toBe('hr');
      expect(prefixWith({ REDIS_URL: 'rediss://cache:6380' })).toBe('ab');
      expect(prefixWith({ REDIS_URL: 'redis-sentinel://s1:26379,s2:26379/m', QUEUE_PREFIX: 'hr' })).toBe('hr');
    });

    it('makes it a hash tag on a Redis Cluster, so every key of the deployment shares one slot', () => {
      expect(prefixWith({ REDIS_URL: 'redis-cluster://n1:7000,n2:7001' })).toBe('{ab}');
      expect(
        prefixWith({ REDIS_URL: 'rediss-cluster://clustercfg.x.cache.amazonaws.com:6379', QUEUE_PREFIX: 'hr' }),
      ).toBe('{hr}');
    });

    it('uses a prefix that holds a hash tag as given, on any Redis (a cluster proxy reached with redis://)', () => {
      expect(prefixWith({ REDIS_URL: 'redis-cluster://n1:7000', QUEUE_PREFIX: '{ab}' })).toBe('{ab}');
      expect(prefixWith({ REDIS_URL: 'redis-cluster://n1:7000', QUEUE_PREFIX: 'hr-{ab}' })).toBe('hr-{ab}');
      expect(prefixWith({ REDIS_URL: 'redis://proxy:6379', QUEUE_PREFIX: '{ab}' })).toBe('{ab}');
    });
  });

  it('reads secrets from files', () => {
    const secretFile = botsFile('from-file\n');
    const config = loadConfig({ BOTS_FILE: botsFile({ bots: [{ ...bot, secret: `\${file:${secretFile}}` }] }) }, {});
    expect(config.bots[0]).toMatchObject({ secret: 'from-file' });
  });

  it.each([
    [{ GATEWAY_PORT: 'eighty' }, /GATEWAY_PORT/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL/],
    [{ BOTS_FILE: '/nonexistent/bots.json' }, /cannot be read/],
    [
      { REDIS_URL: 'http://cache:6379' },
      /REDIS_URL: expected redis:\/\/, rediss:\/\/, redis-sentinel:\/\/, redis-cluster/,
    ],
    [{ REDIS_PASSWORD: 'a', REDIS_URL: 'redis-cluster://:b@n1:7000' }, /carries a password too/],
    [{ QUEUE_PREFIX: '{}' }, /QUEUE_PREFIX: braces in a key prefix must hold one non-empty Redis Cluster hash tag/],
    [{ QUEUE_PREFIX: '{ab' }, /QUEUE_PREFIX: braces/],
    [{ QUEUE_PREFIX: 'ab}' }, /QUEUE_PREFIX: braces/],
    [{ QUEUE_PREFIX: '{a}{b}' }, /QUEUE_PREFIX: braces/],
    [{ QUEUE_PREFIX: '{a{b}}' }, /QUEUE_PREFIX: braces/],
    [{ REDIS_PASSWORD: 'a', REDIS_URL: 'redis://:b@cache:6379' }, /carries a password too/],
    [{ REDIS_PASSWORD: 'a', REDIS_URL: 'redis-sentinel://:b@s1:26379/m' }, /carries a password too/],
  ])('refuses %o with a clear message', (env, message) => {
    expect(() => loadConfig({ HR_SECRET: 's', BOTS_FILE: botsFile({ bots: [bot] }), ...env }, {})).toThrow(message);
  });
});

describe('parseBotsFile', () => {
  it('names a missing secret variable', () => {
    expect(() => parseBotsFile(JSON.stringify({ bots: [bot] }), {}, 'bots.json')).toThrow(/HR_SECRET/);
  });

  it('substitutes a secret into the parsed value, so quotes and backslashes in it cannot change the file', () => {
    const hostile = 'a"b\\c", "agentId": 7, "x": "';
    const [parsed] = parseBotsFile(JSON.stringify({ bots: [bot] }), { HR_SECRET: hostile }, 'bots.json');
    expect(parsed).toMatchObject({ secret: hostile, agentId: 1000002 });
  });

  it.each([
    [{ bots: [] }, /bots/],
    [{ bots: [{ ...bot, id: 'has-dash' }] }, /bot id/],
    [{ bots: [{ ...bot, channel: 'WeCom' }] }, /channel: a lower-case letter/],
    [{ bots: [bot, bot] }, /duplicate bot id/],
    ['{not json', /not valid JSON/],
  ])('refuses an invalid file (%#)', (content, message) => {
    expect(() =>
      parseBotsFile(typeof content === 'string' ? content : JSON.stringify(content), { HR_SECRET: 's' }, 'bots.json'),
    ).toThrow(ConfigError);
    expect(() =>
      parseBotsFile(typeof content === 'string' ? content : JSON.stringify(content), { HR_SECRET: 's' }, 'bots.json'),
    ).toThrow(message);
  });
});
