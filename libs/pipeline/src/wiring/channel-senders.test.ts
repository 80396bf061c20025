import { InMemoryAibotRelay } from '@answerbridge/channel-wecom-aibot';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@answerbridge/config';
import { InMemoryKeyValueStore } from '@answerbridge/core';
import { dingTalkChannel } from '@answerbridge/channel-dingtalk';
import { createLogger, createMetrics } from '@answerbridge/observability';
import { createChannelSenders } from './channel-senders';
import { channelSettings } from './channel-registry';

const silent = createLogger({ name: 'test', level: 'silent' });

describe('createChannelSenders: the DingTalk sender and DINGTALK_WEBHOOK_ORIGINS', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });
  async function serve(answer: (url: string) => unknown): Promise<{ origin: string; hits: string[] }> {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(String(req.url));
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(String(req.url))));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
  }

  it('posts only to the configured origins: a queued reply whose webhook points elsewhere goes through the OpenAPI and is counted', async () => {
    const internal = await serve(() => ({ errcode: 0 }));
    const api = await serve((url) =>
      url.startsWith('/v1.0/oauth2/accessToken')
        ? { accessToken: 't', expireIn: 7200 }
        : { processQueryKey: 'k', flowControlledStaffIdList: [] },
    );
    const botsFile = path.join(mkdtempSync(path.join(tmpdir(), 'ab-senders-')), 'bots.json');
    writeFileSync(
      botsFile,
      JSON.stringify({
        bots: [{ id: 'dt', channel: 'dingtalk', clientId: 'dingabc', clientSecret: 's', mode: 'http' }],
      }),
    );
    const config = loadConfig({ BOTS_FILE: botsFile, DINGTALK_API_BASE_URL: api.origin }, {});
    expect(channelSettings(dingTalkChannel, config.environment).DINGTALK_WEBHOOK_ORIGINS).toEqual([
      'https://oapi.dingtalk.com',
      'https://api.dingtalk.com',
    ]);
    const metrics = createMetrics('test');
    const { senders } = createChannelSenders(config, new InMemoryKeyValueStore(), {
      metrics,
      logger: silent,
      relay: () => new InMemoryAibotRelay(),
    });
    await senders.get('dingtalk')?.send({
      id: 'r1',
      botId: 'dt',
      inReplyTo: 'm1',
      text: '答案',
      target: {
        channel: 'dingtalk',
        robotCode: 'dingabc',
        chatType: 'direct',
        staffId: 'zhangsan',
        sessionWebhook: `${internal.origin}/internal/admin`,
        sessionWebhookExpiresAt: Date.now() + 3_600_000,
      },
    });
    expect(internal.hits).toEqual([]);
    expect(api.hits).toEqual(['/v1.0/oauth2/accessToken', '/v1.0/robot/oToMessages/batchSend']);
    expect(await metrics.registry.metrics()).toContain(
      'answerbridge_channel_api_errors_total{channel="dingtalk",code="SESSION_WEBHOOK_REFUSED",service="test"} 1',
    );
  });
});
