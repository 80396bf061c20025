import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMessages } from '@answerbridge/answering';
import { loadFaqFile } from '@answerbridge/knowledge';
import { RedisDecisionLog } from '@answerbridge/redis';
import { startRestartableMilvusLite, type RestartableService } from '@answerbridge/testing';
import { sampleFaqPath, startSystem, type SystemUnderTest } from '../support/system-under-test';

const leaveAnswer = loadFaqFile(sampleFaqPath).find((e) => e.id === 'annual-leave')?.answer;

/** A system on a Milvus Lite of its own, which a test can kill; stopped (Milvus restarted first) after the tests. */
function withOwnMilvus(overrides: Record<string, string>): {
  sut: () => SystemUnderTest;
  milvus: () => RestartableService;
} {
  let sut: SystemUnderTest | undefined;
  let milvus: RestartableService | undefined;
  beforeAll(async () => {
    milvus = await startRestartableMilvusLite();
    sut = await startSystem({ MILVUS_ADDRESS: milvus.address, EMBEDDING_CACHE_SIZE: '0', ...overrides });
  });
  afterAll(async () => {
    await sut?.stop();
    await milvus?.restart().catch(() => undefined);
    await milvus?.stop();
  });
  return { sut: () => sut!, milvus: () => milvus! };
}

/**
 * Milvus down and staying down: a search that needs Milvus is retried with backoff (the catalog's schedule,
 * about half a minute), then escalated with a notice; the asker is never left in silence.
 */
describe('Milvus down, for a search that needs it', () => {
  // No memory copy: every dense search goes to Milvus (as for a knowledge base that does not fit in RESIDENT_SEARCH_MEMORY_MB).
  const { sut: system, milvus: ownMilvus } = withOwnMilvus({ RESIDENT_SEARCH_MEMORY_MB: '0' });

  it('retries, then escalates with the search-unavailable reason', async () => {
    const [sut, milvus] = [system(), ownMilvus()];
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

/** The shipped default: the worker's memory copy answers dense searches while Milvus is away. */
describe('Milvus down, for a Chinese bot searched in the worker’s memory', () => {
  const { sut: system, milvus: ownMilvus } = withOwnMilvus({ RESIDENT_SEARCH_CHECK_MS: '600000' });

  it('keeps answering from its memory copy while Milvus is away, and after it is back', async () => {
    const [sut, milvus] = [system(), ownMilvus()];
    const rows = async () => {
      const text = await (await fetch(new URL('/metrics', sut.worker.metricsUrl))).text();
      return Number(/answerbridge_resident_search_rows\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    await expect.poll(rows, { timeout: 30_000 }).toBeGreaterThan(100);
    await milvus.kill();
    await sut.simulator.wecomClient(sut.bot.id).sendText('memory-asker', '年假有几天？');
    const reply = await sut.simulator.wecom.nextMessageTo('memory-asker', 0, 90_000);
    expect(reply.content).toBe(leaveAnswer);
    const [decision] = await new RedisDecisionLog(sut.redis, sut.config.QUEUE_PREFIX).recent(1);
    expect(decision).toMatchObject({ question: '年假有几天？', kind: 'answer' });
    await milvus.restart();
    await sut.simulator.wecomClient(sut.bot.id).sendText('memory-asker', '怎么更改登录密码?');
    const after = await sut.simulator.wecom.nextMessageTo('memory-asker', reply.seq, 90_000);
    expect(after.content).toContain('修改密码');
  }, 120_000);
});
