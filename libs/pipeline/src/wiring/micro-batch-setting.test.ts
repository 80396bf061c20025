import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@answerbridge/config';
import { startGpuLikeEmbedder, type RunningGpuLikeEmbedder } from '@answerbridge/testing';
import { resolveProfile } from '@answerbridge/embedding';
import { createEmbedder } from './knowledge-services';

/** EMBEDDING_MICRO_BATCH_MS: concurrent questions share one embeddings request, unless it is 0. */
describe('micro-batching as configured', () => {
  let server: RunningGpuLikeEmbedder | undefined;
  afterEach(async () => server?.stop());

  const requestsFor = async (microBatchMs: string | undefined) => {
    server = await startGpuLikeEmbedder({ fixedMs: 1, perItemMs: 0 });
    const config = loadConfig(
      {
        EMBEDDING_BASE_URL: server.address,
        EMBEDDING_CACHE_SIZE: '0',
        ...(microBatchMs === undefined ? {} : { EMBEDDING_MICRO_BATCH_MS: microBatchMs }),
      },
      {},
    );
    const embedder = createEmbedder(config, resolveProfile('e5-small'), { microBatch: true });
    await Promise.all(['年假有几天', '报销流程', '密码怎么改', '食堂几点开'].map((q) => embedder.embed([q], 'query')));
    return server.stats().requests;
  };

  it('sends four concurrent questions as one request by default', async () => {
    expect(await requestsFor(undefined)).toBe(1);
  });

  it('sends each question alone when EMBEDDING_MICRO_BATCH_MS=0', async () => {
    expect(await requestsFor('0')).toBe(4);
  });

  it('refuses a negative wait', () => {
    expect(() => loadConfig({ EMBEDDING_MICRO_BATCH_MS: '-1' }, {})).toThrow(/EMBEDDING_MICRO_BATCH_MS/);
  });
});
