import { z } from 'zod';
import { InboundMessageSchema, OutboundReplySchema } from './inbound-message';

export const UnclaimedCheckSchema = z.object({ conversationId: z.string().min(1), escalatedAt: z.number().int() });

/**
 * The one list of queues and jobs, shared by producers and consumers.
 *
 * WARNING: queue and job names are persisted in Redis. Renaming one strands the jobs already queued
 * under the old name; add a new versioned name (".v2") and drain the old one instead.
 */
export interface JobDefinition<S extends z.ZodType> {
  queue: string;
  schema: S;
  /** attempts and backoff for BullMQ; a job that still fails after these is kept as failed (dead letter). */
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
}

export const jobCatalog = {
  /** A normalized inbound message to answer: embed, search, decide, enqueue the reply. */
  'inbound.answer.v1': {
    queue: 'inbound',
    schema: InboundMessageSchema,
    attempts: 6,
    backoff: { type: 'exponential', delay: 1_000 },
  },
  /** A reply to deliver through the channel's API; retried alone, without redoing retrieval. */
  'outbound.send.v1': {
    queue: 'outbound',
    schema: OutboundReplySchema,
    attempts: 10,
    backoff: { type: 'exponential', delay: 1_000 },
  },
  /** An escalation still unclaimed after the configured wait: notify the agents' group and the asker. */
  'escalation.unclaimed.v1': {
    queue: 'escalation',
    schema: UnclaimedCheckSchema,
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
  },
} as const satisfies Record<string, JobDefinition<z.ZodType>>;

export type JobCatalog = typeof jobCatalog;
export type JobName = keyof JobCatalog;
export type JobPayload<N extends JobName> = z.infer<JobCatalog[N]['schema']>;
export type QueueName = JobCatalog[JobName]['queue'];
