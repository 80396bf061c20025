import type { TestProject } from 'vitest/node';
import {
  ensurePostgres,
  ensureRedis,
  startMilvusLite,
  startLocalEmbedder,
  type RunningService,
} from '@answerbridge/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    services: {
      redisUrl: string;
      milvusAddress: string;
      embeddingBaseUrl: string;
      /** A PostgreSQL server's "postgres" database, where each test creates its own (createTestDatabase). */
      postgresUrl: string;
    };
    /** Messages per channel in the fault burst: small in CI, 1,000+ from bench/faults/run.sh. */
    faultBurstSize: number;
  }
}

/** Starts the real services once for the whole e2e run, on free ports, and stops them afterwards. */
export default async function setup(project: TestProject) {
  const started: RunningService[] = [];
  try {
    const [redis, milvus, embedder, postgres] = await Promise.all([
      ensureRedis(),
      startMilvusLite(),
      startLocalEmbedder(),
      ensurePostgres(),
    ]);
    started.push(redis, milvus, embedder, postgres);
    project.provide('services', {
      redisUrl: redis.address,
      milvusAddress: milvus.address,
      embeddingBaseUrl: embedder.address,
      postgresUrl: postgres.address,
    });
    // The one setting a test run takes from the environment (the long fault run sets it).
    // eslint-disable-next-line no-restricted-syntax
    project.provide('faultBurstSize', Number(process.env.FAULT_BURST_SIZE ?? 16));
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
