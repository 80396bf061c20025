import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryVectorStore } from './in-memory-vector-store';
import { vectorStoreContract } from './vector-store-contract';

vectorStoreContract('InMemoryVectorStore', async () => new InMemoryVectorStore(), {
  describe,
  it,
  expect,
  beforeAll,
  afterAll,
});
