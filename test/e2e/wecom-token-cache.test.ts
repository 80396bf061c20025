import { once } from 'node:events';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { WecomBotConfig } from '@answerbridge/channel-wecom';
import { WecomApiClient, WecomApiError } from '@answerbridge/channel-wecom';
import { RedisKeyValueStore, createRedis, type Redis } from '@answerbridge/redis';
import { WecomServerSimulator } from '@answerbridge/simulator';

/** The access token shared through real Redis by several "processes" (clients with their own connections). */
describe('WeCom access token cache on Redis', () => {
  const bot: WecomBotConfig = {
    id: 'tok',
    channel: 'wecom',
    language: 'zh',
    corpId: 'wwtokencache',
    agentId: 1000005,
    token: 't',
    encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
    secret: 'token-cache-secret',
  };
  const prefix = `abtest-${randomUUID().slice(0, 8)}`;
  const sim = new WecomServerSimulator([bot]);
  let server: Server;
  let baseUrl: string;
  const connections: Redis[] = [];

  const client = (overrides: Partial<WecomBotConfig> = {}) => {
    const redis = createRedis(inject('services').redisUrl, 'worker');
    connections.push(redis);
    return new WecomApiClient({
      baseUrl,
      corpId: bot.corpId,
      agentId: bot.agentId,
      secret: overrides.secret ?? bot.secret,
      store: new RedisKeyValueStore(redis, prefix),
      timeoutMs: 5_000,
      backoffBaseMs: 10,
    });
  };

  beforeAll(async () => {
    const app = express();
    app.use(sim.router());
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.close();
    const [first] = connections;
    if (first) {
      const keys = await first.keys(`${prefix}:*`);
      if (keys.length) await first.del(...keys);
    }
    await Promise.all(connections.map((c) => c.quit()));
  });

  it('fetches one token for many concurrent senders across processes', async () => {
    const processes = [client(), client(), client()];
    await Promise.all(Array.from({ length: 30 }, (_, i) => processes[i % 3]!.sendText(`user${i}`, `hello ${i}`)));
    expect(sim.calls.gettoken).toBe(1);
    expect(sim.sent).toHaveLength(30);
  });

  it('refreshes once when WeCom invalidates the token early, and every send still lands', async () => {
    const before = sim.calls.gettoken;
    sim.expireAllTokens();
    const processes = [client(), client()];
    await Promise.all(Array.from({ length: 10 }, (_, i) => processes[i % 2]!.sendText(`later${i}`, 'again')));
    // Each process that saw 42001 drops only the token it used, so the refresh happens once per stale token.
    expect(sim.calls.gettoken).toBe(before + 1);
    expect(sim.sent.filter((m) => m.toUser.startsWith('later'))).toHaveLength(10);
  });

  it('gives up on a wrong secret with a non-retryable error', async () => {
    const wrong = client({ secret: 'wrong' });
    // A separate cache key namespace is not needed: the wrong client finds the valid cached token, so clear it first.
    await connections[0]!.del(`${prefix}:kv:wecom:token:${bot.corpId}:${bot.agentId}`);
    await expect(wrong.sendText('x', 'y')).rejects.toSatisfy(
      (e: unknown) => e instanceof WecomApiError && e.errcode === 40001 && !e.retryable,
    );
  });

  it('backs off on 45009 and gives up after the configured retries as a retryable error', async () => {
    const c = client();
    sim.injectFaults({ errcode: 45009 }, { errcode: 45009 }, { errcode: 45009 }, { errcode: 45009 });
    await expect(c.sendText('limited', 'x')).rejects.toSatisfy(
      (e: unknown) => e instanceof WecomApiError && e.errcode === 45009 && e.retryable,
    );
    sim.injectFaults({ httpStatus: 502 });
    await expect(c.sendText('limited', 'x')).rejects.toMatchObject({ code: 'WECOM.HTTP', retryable: true });
    await c.sendText('limited', 'finally');
    expect(sim.sentTo('limited').map((m) => m.content)).toEqual(['finally']);
  });
});
