import { describe, expect, expectTypeOf, it } from 'vitest';
import { jobCatalog, type JobPayload, type JobRoutes } from '@answerbridge/core';
import { createJobWorkers } from './job-queues';

const done = async () => undefined;

/**
 * Type-level: `tsc -p tsconfig.json` (npm test's typecheck) compiles this file, and each `@ts-expect-error`
 * fails the typecheck if the line below it ever compiles.
 */
describe('the worker routes are checked against the job catalog', () => {
  it('refuses a route map that misses a job of the catalog', () => {
    // @ts-expect-error 'escalation.unclaimed.v1' has no route: a job in the catalog without a handler does not compile.
    const missing: JobRoutes = {
      'inbound.answer.v1': { concurrency: 1, handle: done },
      'outbound.send.v1': { concurrency: 1, handle: done },
    };
    expect(Object.keys(missing)).not.toContain('escalation.unclaimed.v1');
  });

  it("gives each handler and final-failure hook its own job's payload", () => {
    const routes: JobRoutes = {
      'inbound.answer.v1': { concurrency: 1, handle: async (message) => void message.senderId },
      'outbound.send.v1': {
        concurrency: 1,
        // @ts-expect-error a reply has no senderId: the handler is typed with the reply, not the inbound message.
        handle: async (reply) => void reply.senderId,
        onFinalFailure: async (reply) => void reply.target,
      },
      'escalation.unclaimed.v1': { concurrency: 1, handle: async (check) => void check.escalatedAt },
    };
    expectTypeOf<Parameters<JobRoutes['outbound.send.v1']['handle']>[0]>().toEqualTypeOf<
      JobPayload<'outbound.send.v1'>
    >();
    expectTypeOf(createJobWorkers).parameter(1).toEqualTypeOf<JobRoutes>();
    expect(Object.keys(routes).sort()).toEqual(Object.keys(jobCatalog).sort());
  });
});
