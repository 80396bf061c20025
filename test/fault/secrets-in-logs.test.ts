import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DingTalkBotConfig } from '@answerbridge/channel-dingtalk';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * Runs the system at debug level with known secrets through the paths that touch them (token fetch and
 * refresh, signed callbacks good and bad, console logins good and bad, DingTalk Stream and OpenAPI) and
 * scans every log line for any of them.
 */
describe('secrets never reach the logs', () => {
  const lines: string[] = [];
  let sut: SystemUnderTest;
  const dingtalk = (id: string): DingTalkBotConfig => ({
    id: `${id}d`,
    channel: 'dingtalk',
    clientId: `ding${id}`,
    clientSecret: `dt-secret-${id}-XYZ`,
    mode: 'stream',
    knowledgeBase: id,
    language: 'zh',
  });

  beforeAll(async () => {
    sut = await startSystem(
      { LOG_LEVEL: 'debug', SIMULATOR_DINGTALK_SESSION_TTL_MS: '1000' },
      (id) => [dingtalk(id)],
      (line) => lines.push(line),
    );
    await Promise.all(sut.gateway.connections.map(({ connection }) => connection.ready?.()));
  });
  afterAll(async () => {
    await sut?.stop();
  });

  it('logs plenty, and none of it is a secret', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    await client.sendText('s1', '怎么更改登录密码?');
    await sut.simulator.wecom.nextMessageTo('s1');
    sut.simulator.wecom.expireAllTokens();
    await client.sendText('s2', '年假有几天？');
    await sut.simulator.wecom.nextMessageTo('s2');
    await client.deliver(client.buildRequest(client.textMessageXml('s3', 'x'), { token: 'wrong-token' }));
    await fetch(`${sut.console.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'agent1', password: 'not-the-password-123' }),
    });
    const agent = await ConsoleClient.login(sut.console.url, 'agent1');
    await agent.call('GET', '/api/conversations');
    const dt = sut.config.bots.find((b) => b.channel === 'dingtalk') as DingTalkBotConfig;
    sut.simulator.dingtalk.push(dt.id, { from: 'd1', text: '工资什么时候发？' }); // its webhook expires in 1 s: OpenAPI with a token
    await sut.simulator.dingtalk.nextMessageTo('d1');
    await sut.idle();

    const secrets = [
      sut.bot.secret,
      sut.bot.token,
      sut.bot.encodingAesKey,
      dt.clientSecret,
      'answerbridge-demo',
      'not-the-password-123',
      agent.csrf,
      ...sut.simulator.wecom.issuedTokens(),
      ...sut.simulator.dingtalk.issuedSecrets(),
    ];
    // The paths that handle secrets did log:
    expect(lines.some((l) => l.includes('callback rejected') && l.includes('WECOM.BAD_SIGNATURE'))).toBe(true);
    expect(lines.some((l) => l.includes('console login failed'))).toBe(true);
    expect(lines.some((l) => l.includes('dingtalk stream connected'))).toBe(true);
    expect(lines.filter((l) => l.includes('"event":"decision"')).length).toBeGreaterThanOrEqual(3);
    expect(sut.simulator.dingtalk.calls.token).toBeGreaterThanOrEqual(1);
    expect(sut.simulator.wecom.issuedTokens().length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) {
      const leaks = lines.filter((l) => l.includes(secret));
      expect(leaks, `secret ${secret.slice(0, 4)}… appears in logs`).toEqual([]);
    }
  });
});
