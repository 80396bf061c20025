import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AnswerbridgeError, type InboundMessage, type JobPayload, type JobRoutes } from '@answerbridge/core';
import { JobProducer, createJobWorkers, createRedis, type JobWorkers, type Redis } from '@answerbridge/redis';
import { jobEnqueuerContract } from '@answerbridge/testing';

const message = (id: string): InboundMessage => ({
  id,
  channel: 'wecom',
  botId: 'helpdesk',
  platformMessageId: id,
  conversationId: `wecom/helpdesk/${id}`,
  chatType: 'direct',
  senderId: 'alice',
  kind: 'text',
  text: '年假几天',
  sentAt: 1,
  receivedAt: 1,
  replyTarget: { channel: 'wecom', toUser: 'alice', agentId: 1 },
});

/** Resolves the n-th time `signal` is called with a matching key. */
function waiter<T>() {
  const seen: T[] = [];
  const waiting: { match: (t: T) => boolean; resolve: (t: T) => void }[] = [];
  return {
    seen,
    signal(t: T) {
      seen.push(t);
      for (const w of waiting.filter((w) => w.match(t))) w.resolve(t);
    },
    next(match: (t: T) => boolean): Promise<T> {
      const already = seen.find(match);
      return already ? Promise.resolve(already) : new Promise((resolve) => waiting.push({ match, resolve }));
    },
  };
}

/** createJobWorkers on real Redis: every catalog job routed, payloads parsed, final failures behind the hook. */
describe('createJobWorkers', () => {
  let redis: Redis;
  let producer: JobProducer;
  let workers: JobWorkers;
  const prefix = `abtest-workers-${randomUUID().slice(0, 8)}`;
  const handled = waiter<{ job: string; id: string; attempt: number }>();
  const finalFailures = waiter<{ id: string; error: string }>();
  const failed = waiter<{ queue: string; reason: string }>();
  let flakyFailures = 0;

  beforeAll(async () => {
    redis = createRedis(inject('services').redisUrl, 'worker', {});
    producer = new JobProducer(redis, { prefix, dedupeTtlMs: 60_000 });
    const routes: JobRoutes = {
      'inbound.answer.v1': {
        concurrency: 2,
        handle: async (m: JobPayload<'inbound.answer.v1'>, context) => {
          handled.signal({ job: 'inbound', id: m.id, attempt: context.attempt });
          if (m.id === 'permanent') throw new AnswerbridgeError('TEST.REFUSED', 'refused for good', false);
          if (m.id === 'flaky' && flakyFailures++ === 0) throw new AnswerbridgeError('TEST.DOWN', 'down once', true);
        },
        onFinalFailure: async (m, error) =>
          finalFailures.signal({ id: m.id, error: error instanceof Error ? error.message : String(error) }),
      },
      'outbound.send.v1': {
        concurrency: 1,
        handle: async (reply, context) => handled.signal({ job: 'outbound', id: reply.id, attempt: context.attempt }),
      },
      'escalation.unclaimed.v1': {
        concurrency: 1,
        handle: async (check, context) =>
          handled.signal({ job: 'escalation', id: check.conversationId, attempt: context.attempt }),
      },
    };
    workers = createJobWorkers(redis, routes, {
      prefix,
      onFailed: (queue, _id, _attempts, error) => failed.signal({ queue, reason: error.message }),
    });
    await workers.ready();
  });
  afterAll(async () => {
    await workers?.close();
    await producer?.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('runs each catalog job on its route with its parsed payload', async () => {
    await producer.enqueue('inbound.answer.v1', message('ok'), { dedupeId: 'ok' });
    await producer.enqueue(
      'outbound.send.v1',
      { id: 'r1', botId: 'helpdesk', inReplyTo: 'ok', target: message('ok').replyTarget, text: '5 天' },
      { dedupeId: 'r1' },
    );
    await producer.enqueue('escalation.unclaimed.v1', { conversationId: 'c1', escalatedAt: 1 }, { dedupeId: 'u1' });
    await handled.next((h) => h.id === 'ok');
    await handled.next((h) => h.id === 'r1');
    await handled.next((h) => h.id === 'c1');
    expect(workers.running()).toBe(true);
  });

  it('sends an error that is not retryable to the dead letters at once, through the final-failure hook', async () => {
    await producer.enqueue('inbound.answer.v1', message('permanent'), { dedupeId: 'permanent' });
    expect(await finalFailures.next((f) => f.id === 'permanent')).toEqual({
      id: 'permanent',
      error: 'refused for good',
    });
    expect((await failed.next((f) => f.reason.includes('TEST.REFUSED'))).reason).toBe('TEST.REFUSED: refused for good');
    const job = (await producer.queue('inbound').getFailed()).find((j) => j.data.id === 'permanent');
    expect(job?.attemptsMade).toBe(1);
  });

  it('retries a retryable error without calling the hook, and fails a payload that does not parse without it', async () => {
    await producer.enqueue('inbound.answer.v1', message('flaky'), { dedupeId: 'flaky' });
    expect(await handled.next((h) => h.id === 'flaky' && h.attempt === 2)).toMatchObject({ attempt: 2 });
    await producer.queue('outbound').add('outbound.send.v1', { id: 'bad id with spaces' });
    expect((await failed.next((f) => f.queue === 'outbound')).reason).toMatch(/^invalid outbound.send.v1 payload/);
    expect(finalFailures.seen.map((f) => f.id)).toEqual(['permanent']);
  });
});

// The recording fake keeps the same promise (libs/testing/src/recording-job-enqueuer.test.ts).
jobEnqueuerContract(
  'JobProducer',
  async () => {
    const redis = createRedis(inject('services').redisUrl, 'worker', {});
    const prefix = `abtest-enqueuer-${randomUUID().slice(0, 8)}`;
    const producer = new JobProducer(redis, { prefix, dedupeTtlMs: 60_000 });
    return {
      enqueuer: producer,
      close: async () => {
        await producer.close();
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
        await redis.quit();
      },
    };
  },
  { describe, it, expect, beforeAll, afterAll },
);
