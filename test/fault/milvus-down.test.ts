import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { RedisDecisionLog } from '@answerbridge/redis';
import { startRestartableMilvusLite, type RestartableService } from '@answerbridge/testing';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

/**
 * Milvus down and staying down: the question is retried with backoff (the catalog's schedule, about half
 * a minute), then escalated with a notice; the asker is never left in silence.
 */
describe('Milvus down', () => {
  let sut: SystemUnderTest;
  let milvus: RestartableService;

  beforeAll(async () => {
    milvus = await startRestartableMilvusLite();
    sut = await startSystem({ MILVUS_ADDRESS: milvus.address, EMBEDDING_CACHE_SIZE: '0' });
  });
  afterAll(async () => {
    await sut?.stop();
    await milvus?.restart().catch(() => undefined);
    await milvus?.stop();
  });

  it('retries, then escalates with the search-unavailable reason', async () => {
    await milvus.kill();
    const sent = Date.now();
    await sut.simulator.wecomClient(sut.bot.id).sendText('nomilvus', '年假有几天？');
    const reply = await sut.simulator.wecom.nextMessageTo('nomilvus', 0, 90_000);
    expect(reply.content).toBe(defaultMessages.escalate);
    const [decision] = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(1);
    expect(decision).toMatchObject({ question: '年假有几天？', kind: 'escalate', reason: 'search-unavailable' });
    // It was not escalated at the first failure: the job went through its retries (1+2+4+8+16 s) first.
    expect(reply.at - sent).toBeGreaterThan(20_000);
  }, 120_000);
});
