import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { defaultEscalationMessages } from '@answerbridge/escalation';
import { loadFaqFile } from '@answerbridge/knowledge';
import { RedisEscalationStore, scanKeys } from '@answerbridge/redis';
import { startRedisCluster, type RunningRedisCluster } from '@answerbridge/testing';
import { Cluster } from 'ioredis';
import { ConsoleClient } from '../support/console-client';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const PASSWORD = 'cl@ster:pass word';
const DAY_MS = 86_400_000;

/**
 * The whole system (gateway, worker, console) on a real Redis Cluster of three masters started here, as a
 * managed cluster (ElastiCache cluster mode, Alibaba Cloud 集群版 直连) would serve it: REDIS_URL
 * redis-cluster:// with the password apart from it, as the Helm chart passes it.
 */
describe('Redis Cluster', () => {
  let cluster: RunningRedisCluster;
  let sut: SystemUnderTest;
  const conversation = (asker: string) => `wecom/${sut.bot.id}/${asker}`;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, password: PASSWORD });
    sut = await startSystem({ REDIS_URL: cluster.address.replace(/\/\/[^@]*@/, '//'), REDIS_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    try {
      await sut?.stop();
    } finally {
      await cluster?.stop();
    }
  });

  it('connects every app to the cluster, with the key prefix made a hash tag', async () => {
    expect(sut.config.REDIS_URL).toMatch(/^redis-cluster:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    expect(sut.config.QUEUE_PREFIX).toBe(`{${sut.env['QUEUE_PREFIX']}}`);
    expect(sut.redis).toBeInstanceOf(Cluster);
    for (const url of [sut.gateway.url, sut.worker.metricsUrl, sut.console.url])
      expect((await fetch(new URL('/readyz', url))).status, url).toBe(200);
  });

  it('answers a WeCom callback delivered three times exactly once', async () => {
    const client = sut.simulator.wecomClient(sut.bot.id);
    const request = client.buildRequest(client.textMessageXml('cluster-user', '年假有几天？'));
    // Two deliveries race each other through the dedupe script; the third comes after they were handled.
    const first = await Promise.all([client.deliver(request), client.deliver(request)]);
    expect(first.map((r) => r.status)).toEqual([200, 200]);
    await sut.simulator.wecom.nextMessageTo('cluster-user');
    await sut.idle();
    expect((await client.deliver(request)).status).toBe(200);
    await sut.idle();
    const sent = sut.simulator.wecom.sentTo('cluster-user');
    expect(sent.map((m) => m.content)).toEqual([
      loadFaqFile(sampleFaqPath).find((e) => e.question.startsWith('年假'))?.answer,
    ]);
    expect((await sut.inspector.counts()).inbound?.completed).toBe(1);
  });

  it('escalates, lets exactly one of two agents claim, and resolves: the five-key scripts in one slot', async () => {
    const [agent1, agent2] = await Promise.all([
      ConsoleClient.login(sut.console.url, 'agent1'),
      ConsoleClient.login(sut.console.url, 'agent2'),
    ]);
    const events = await agent1.events();
    await sut.simulator.wecomClient(sut.bot.id).sendText('cluster-asker', '我要转人工');
    const handover = await sut.simulator.wecom.nextMessageTo('cluster-asker');
    expect(handover.content).toBe(defaultMessages.handover);
    // Published by the worker on one node, heard by the console's subscription on the cluster.
    await events.next('escalated', conversation('cluster-asker'));
    events.close();
    const path = (agent: ConsoleClient, action: string) =>
      agent.conversationPath(conversation('cluster-asker'), action);
    const claims = await Promise.all([
      agent1.call('POST', path(agent1, 'claim')),
      agent2.call('POST', path(agent2, 'claim')),
    ]);
    expect(claims.map((c) => c.status).sort()).toEqual([200, 409]);
    const holder = claims[0]?.status === 200 ? agent1 : agent2;
    const joined = await sut.simulator.wecom.nextMessageTo('cluster-asker', handover.seq);
    expect(joined.content).toMatch(/^客服 .+ 已接入/);
    expect((await holder.call('POST', path(holder, 'resolve'))).status).toBe(200);
    expect((await sut.simulator.wecom.nextMessageTo('cluster-asker', joined.seq)).content).toBe(
      defaultEscalationMessages.resolved,
    );
    expect((await holder.call('POST', path(holder, 'resolve'))).status).toBe(409);
    const view = await holder.call<{ state: string }>('GET', holder.conversationPath(conversation('cluster-asker')));
    expect(view.body.state).toBe('resolved');
  });

  it('keeps every key of the deployment in the one slot of its hash tag, on one master', async () => {
    await sut.idle();
    const prefix = sut.config.QUEUE_PREFIX;
    const slot = Number(await cluster.cli(cluster.ports[0] ?? 0, 'cluster', 'keyslot', prefix));
    const redis = sut.redis;
    if (!(redis instanceof Cluster)) throw new Error('expected the system to hold a Cluster client');
    const perMaster = await Promise.all(
      redis.nodes('master').map(async (node) => {
        const keys: string[] = [];
        for await (const page of scanKeys(node, `${prefix}:*`)) keys.push(...page);
        const inSlot = Number(await node.call('cluster', 'countkeysinslot', String(slot)));
        return { keys, inSlot };
      }),
    );
    expect(perMaster).toHaveLength(3);
    const holders = perMaster.filter((m) => m.keys.length > 0);
    expect(holders).toHaveLength(1);
    const keys = holders[0]?.keys ?? [];
    // Queues and dedupe (BullMQ), the WeCom token cache, escalations and their index, the decision log.
    expect(keys).toEqual(
      expect.arrayContaining([
        `${prefix}:inbound:meta`,
        `${prefix}:outbound:meta`,
        `${prefix}:esc:${conversation('cluster-asker')}`,
        `${prefix}:esc:${conversation('cluster-asker')}:history`,
        `${prefix}:decisions`,
      ]),
    );
    expect(keys.some((k) => k.startsWith(`${prefix}:kv:`))).toBe(true);
    expect(keys.some((k) => k.startsWith(`${prefix}:inbound:de:`))).toBe(true);
    expect(holders[0]?.inSlot).toBe(keys.length);
  });

  it('refuses a multi-key script across slots, which the hash tag is there to prevent', async () => {
    const untagged = new RedisEscalationStore(sut.redis, `untagged-${sut.bot.id}`, DAY_MS);
    await expect(untagged.claim('wecom/x/y', 'agent1', Date.now())).rejects.toThrow(/CROSSSLOT/);
  });
});
