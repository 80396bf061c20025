import type { JobName, JobPayload } from './job-catalog';

export interface EnqueueOptions {
  /** Stable id of the thing being enqueued; a second enqueue with the same id within the TTL is dropped. */
  dedupeId: string;
  /** Run no earlier than this many milliseconds from now. */
  delayMs?: number;
}

export interface EnqueueResult {
  jobId: string;
  /** True when a job with the same dedupe id was already queued: nothing new was added. */
  duplicate: boolean;
}

/**
 * What a producer needs to queue a catalog job (BullMQ's JobProducer in production, a recording fake in
 * tests): the compiler checks the payload against the catalog, the consumer parses it again on dequeue.
 */
export interface JobEnqueuer {
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: EnqueueOptions): Promise<EnqueueResult>;
}
