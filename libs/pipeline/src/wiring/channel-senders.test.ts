import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@answerbridge/config';
import { AnswerbridgeError, InMemoryKeyValueStore } from '@answerbridge/core';
import { createMetrics } from '@answerbridge/observability';
import { createChannelSenders, notifyEachGroupOnce, type AgentGroupNotifier } from './channel-senders';

describe('notifyEachGroupOnce', () => {
  it('on a retry after one group failed, tells only the groups not yet told', async () => {
    const told: string[] = [];
    let dingTalkDown = true;
    const groups: AgentGroupNotifier[] = [
      { name: 'wecom-robot', send: async (text) => void told.push(`wecom:${text}`) },
      {
        name: 'dingtalk-group',
        send: async (text) => {
          if (dingTalkDown) throw new Error('DingTalk 503');
          told.push(`dingtalk:${text}`);
        },
      },
    ];
    const notify = notifyEachGroupOnce(groups, new InMemoryKeyValueStore());
    await expect(notify('waiting', 'c1:100')).rejects.toThrow('DingTalk 503');
    dingTalkDown = false;
    await notify('waiting', 'c1:100');
    await notify('waiting', 'c1:100');
    expect(told).toEqual(['wecom:waiting', 'dingtalk:waiting']);
    // Another notice (a new escalation of the same conversation) is a new message to both.
    await notify('again', 'c1:200');
    expect(told).toEqual(['wecom:waiting', 'dingtalk:waiting', 'wecom:again', 'dingtalk:again']);
  });
});

describe('notifyEachGroupOnce when a group refuses for good', () => {
  it('still tells the other groups, and fails without retry only if every failure is permanent', async () => {
    const told: string[] = [];
    const refused = new AnswerbridgeError('WECOM.ROBOT', 'invalid webhook key', false);
    const store = new InMemoryKeyValueStore();
    const notify = notifyEachGroupOnce(
      [
        { name: 'wecom-robot', send: async () => Promise.reject(refused) },
        { name: 'dingtalk-group', send: async (text) => void told.push(text) },
      ],
      store,
    );
    await expect(notify('waiting', 'c2:1')).rejects.toMatchObject({
      code: 'AGENT_NOTICE.FAILED',
      retryable: false,
      message: expect.stringContaining('wecom-robot: invalid webhook key'),
    });
    expect(told).toEqual(['waiting']);
    const flaky = notifyEachGroupOnce(
      [{ name: 'x', send: async () => Promise.reject(new Error('socket hang up')) }],
      store,
    );
    await expect(flaky('waiting', 'c3:1')).rejects.toMatchObject({ retryable: true });
  });
});

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
    expect(config.DINGTALK_WEBHOOK_ORIGINS).toEqual(['https://oapi.dingtalk.com', 'https://api.dingtalk.com']);
    const metrics = createMetrics('test');
    const { senders } = createChannelSenders(config, new InMemoryKeyValueStore(), metrics);
    await senders.dingtalk.send({
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
