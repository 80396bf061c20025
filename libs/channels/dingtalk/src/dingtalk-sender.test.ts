import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore, type OutboundReply } from '@answerbridge/core';
import type { DingTalkApiClient } from './dingtalk-api-client';
import { DingTalkSender } from './dingtalk-sender';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A local HTTP server recording every request it gets. */
async function listener(
  handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('{"errcode":0,"errmsg":"ok"}'),
) {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    handle(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { hits, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function openApi() {
  const sent: string[] = [];
  const client = {
    sendToUsers: async (_robotCode: string, userIds: string[]) => void sent.push(`user:${userIds.join(',')}`),
    sendToGroup: async (_robotCode: string, conversation: string) => void sent.push(`group:${conversation}`),
  } as unknown as DingTalkApiClient;
  return { sent, client };
}

const reply = (sessionWebhook: string, id = 'r1'): OutboundReply => ({
  id,
  botId: 'dt',
  inReplyTo: 'm1',
  text: '每月 10 日发放上月工资。',
  target: {
    channel: 'dingtalk',
    robotCode: 'dingabc',
    chatType: 'direct',
    staffId: 'zhangsan',
    sessionWebhook,
    sessionWebhookExpiresAt: Date.now() + 3_600_000,
  },
});

describe('DingTalkSender and the sessionWebhook it is given', () => {
  it('posts to a webhook on an allowed origin', async () => {
    const dingtalk = await listener();
    const api = openApi();
    const sender = new DingTalkSender(() => api.client, new InMemoryKeyValueStore(), {
      webhookOrigins: [dingtalk.origin],
    });
    await sender.send(reply(`${dingtalk.origin}/robot/sendBySession?session=s`));
    expect(dingtalk.hits).toEqual(['POST /robot/sendBySession?session=s']);
    expect(api.sent).toEqual([]);
  });

  it('never posts to a webhook outside the allowed origins (a job queued before the gateway checked), answering through the OpenAPI', async () => {
    const internal = await listener();
    const api = openApi();
    const refused: { origin: string | null; reason: string }[] = [];
    const sender = new DingTalkSender(() => api.client, new InMemoryKeyValueStore(), {
      webhookOrigins: ['https://oapi.dingtalk.com'],
      onWebhookRefused: (r) => refused.push(r),
    });
    await sender.send(reply(`${internal.origin}/internal/admin`));
    await sender.send(reply(`http://user:pw@${internal.origin.slice('http://'.length)}/internal/admin`, 'r2'));
    expect(internal.hits).toEqual([]);
    expect(api.sent).toEqual(['user:zhangsan', 'user:zhangsan']);
    expect(refused.map((r) => r.reason)).toEqual([
      expect.stringMatching(/not in DINGTALK_WEBHOOK_ORIGINS/),
      expect.stringMatching(/user name or password/),
    ]);
  });

  it('does not follow a redirect from an allowed origin to anywhere else, answering through the OpenAPI', async () => {
    const internal = await listener();
    const bouncing = await listener((_req, res) => {
      res.writeHead(307, { location: `${internal.origin}/internal/admin` });
      res.end();
    });
    const api = openApi();
    const refused: string[] = [];
    const sender = new DingTalkSender(() => api.client, new InMemoryKeyValueStore(), {
      webhookOrigins: [bouncing.origin],
      onWebhookRefused: (r) => refused.push(r.reason),
    });
    await sender.send(reply(`${bouncing.origin}/robot/sendBySession?session=s`));
    expect(bouncing.hits).toHaveLength(1);
    expect(internal.hits).toEqual([]);
    expect(api.sent).toEqual(['user:zhangsan']);
    expect(refused).toEqual(['it answered with a redirect (HTTP 307)']);
  });
});
