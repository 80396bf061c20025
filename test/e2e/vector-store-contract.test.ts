import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { vectorStoreContract } from '@answerbridge/testing';
import { MilvusVectorStore } from '@answerbridge/vector-store';

// The same promises the in-memory fake keeps (libs/testing/src/in-memory-vector-store.test.ts), on Milvus Lite.
vectorStoreContract(
  'MilvusVectorStore',
  async () => new MilvusVectorStore({ address: inject('services').milvusAddress }),
  { describe, it, expect, beforeAll, afterAll },
);
