import { randomUUID } from 'node:crypto';
import type { JobEnqueuer } from '@answerbridge/core';
import type { TestApi } from './vector-store-contract';

/**
 * What every JobEnqueuer promises, run against the recording fake (unit tests) and BullMQ's JobProducer
 * (test/e2e/job-workers.test.ts): a second job with the same dedupe id is dropped and named a duplicate of
 * the first.
 */
export function jobEnqueuerContract(
  name: string,
  open: () => Promise<{ enqueuer: JobEnqueuer; close(): Promise<void> }>,
  { describe, it, expect, beforeAll, afterAll }: TestApi,
): void {
  describe(`${name} keeps the JobEnqueuer contract`, () => {
    let opened: { enqueuer: JobEnqueuer; close(): Promise<void> };
    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened.close();
    });

    it('drops a second job with the same dedupe id, naming the first', async () => {
      const dedupeId = `contract-${randomUUID().slice(0, 8)}`;
      const check = { conversationId: `wecom/b/${dedupeId}`, escalatedAt: 1 };
      const first = await opened.enqueuer.enqueue('escalation.unclaimed.v1', check, { dedupeId, delayMs: 60_000 });
      const again = await opened.enqueuer.enqueue('escalation.unclaimed.v1', check, { dedupeId, delayMs: 60_000 });
      const other = await opened.enqueuer.enqueue('escalation.unclaimed.v1', check, {
        dedupeId: `${dedupeId}-2`,
        delayMs: 60_000,
      });
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ jobId: first.jobId, duplicate: true });
      expect(other.duplicate).toBe(false);
      expect(other.jobId).not.toBe(first.jobId);
    });
  });
}
