import {
  jobCatalog,
  type EnqueueOptions,
  type EnqueueResult,
  type JobEnqueuer,
  type JobName,
  type JobPayload,
  type QueueName,
} from '@answerbridge/core';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';

export interface QueueSettings {
  prefix: string;
  /** How long a dedupe id is remembered (BullMQ deduplication TTL). */
  dedupeTtlMs: number;
}

export type { EnqueueOptions, EnqueueResult } from '@answerbridge/core';

/** Typed producer over the job catalog; one BullMQ Queue per catalog queue. */
export class JobProducer implements JobEnqueuer {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly settings: QueueSettings,
  ) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.settings.prefix });
      // Connection errors surface to the caller as a rejected add(); the event itself needs no handling.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: EnqueueOptions): Promise<EnqueueResult> {
    const definition = jobCatalog[name];
    // Not parsed here: the compiler types the payload, and the consumer parses it on dequeue, where a
    // bad payload becomes a visible failed job. Parsing twice cost the gateway ~10% (bench/gateway).
    const data = payload;
    // The job id carries the dedupe id for tracing plus a nonce: when BullMQ drops a duplicate it
    // returns the first job's id, which is how we tell the two apart.
    const jobId = `${options.dedupeId}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const job = await this.queue(definition.queue).add(name, data, {
      jobId,
      deduplication: { id: options.dedupeId, ttl: this.settings.dedupeTtlMs },
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      attempts: definition.attempts,
      backoff: definition.backoff,
      removeOnComplete: { age: 3_600, count: 10_000 },
      // Failed jobs are the dead letters: kept for an operator to inspect and retry.
      removeOnFail: { age: 14 * 86_400 },
    });
    return { jobId: job.id ?? jobId, duplicate: job.id !== jobId };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

export interface JobContext {
  jobId: string;
  attempt: number;
  /** True on the last attempt: a handler can degrade (escalate, notify) instead of failing silently. */
  lastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, context: JobContext) => Promise<void>;

export interface ConsumerOptions {
  concurrency: number;
  prefix: string;
  /** Lock duration; stalled jobs (their worker died) are checked for every half of it. @defaultValue 30000 */
  lockMs?: number;
}

/** A worker for one catalog job; payloads are validated again on dequeue. */
export function createJobConsumer<N extends JobName>(
  connection: Redis,
  name: N,
  handler: JobHandler<N>,
  options: ConsumerOptions,
): Worker {
  const definition = jobCatalog[name];
  return new Worker(
    definition.queue,
    async (job: Job) => {
      if (job.name !== name) throw new UnrecoverableError(`unexpected job ${job.name} on queue ${definition.queue}`);
      const parsed = definition.schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
      const attempt = job.attemptsMade + 1;
      await handler(parsed.data as JobPayload<N>, {
        jobId: job.id ?? '',
        attempt,
        lastAttempt: attempt >= definition.attempts,
      });
    },
    {
      connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: true,
      lockDuration: options.lockMs ?? 30_000,
      stalledInterval: Math.max(500, Math.floor((options.lockMs ?? 30_000) / 2)),
      // A job whose worker died twice in a row is more likely the cause than the victim: fail it visibly.
      maxStalledCount: 2,
    },
  );
}

/** Marks an error as not worth retrying (bad payload, permanent platform refusal). */
export function permanentFailure(message: string): Error {
  return new UnrecoverableError(message);
}
