import {
  AnswerbridgeError,
  jobCatalog,
  type EnqueueOptions,
  type EnqueueResult,
  type JobEnqueuer,
  type JobRoutes,
  type JobName,
  type JobPayload,
  type QueueName,
} from '@answerbridge/core';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from './redis-connection';

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
    private readonly connection: RedisClient,
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

export type { JobContext, JobHandler, JobRoute, JobRoutes } from '@answerbridge/core';

export interface JobWorkersOptions {
  prefix: string;
  /** Lock duration; stalled jobs (their worker died) are checked for every half of it. @defaultValue 30000 */
  lockMs?: number;
  /** A job attempt failed (it is retried unless that was its last attempt or its error is permanent). */
  onFailed?: (queue: string, jobId: string | undefined, attempts: number | undefined, error: Error) => void;
  /** A worker lost its connection or hit an internal error. */
  onError?: (queue: string, error: Error) => void;
}

/** The catalog seen per job name: the compiler checks that each schema parses to that job's payload. */
type PayloadSchemas = {
  [N in JobName]: {
    schema: { safeParse(data: unknown): { success: true; data: JobPayload<N> } | { success: false; error: Error } };
  };
};
const payloadSchemas: PayloadSchemas = jobCatalog;

export interface JobWorkers {
  /** Resolves once every worker is connected and taking jobs. */
  ready(): Promise<void>;
  /** True while every worker runs. */
  running(): boolean;
  /**
   * Stops taking jobs and waits for the running ones, one job at a time in catalog order: questions are
   * answered before the replies they queued stop being sent.
   */
  close(): Promise<void>;
}

/**
 * One BullMQ worker per job of the catalog, each running its route's handler on a payload parsed again on
 * dequeue (a bad payload becomes a visible failed job). An error another attempt cannot fix (an
 * AnswerbridgeError that is not retryable) goes straight to the failed jobs, the dead letters, after the
 * route's `onFinalFailure`; so does any error on the last attempt.
 */
export function createJobWorkers(connection: RedisClient, routes: JobRoutes, options: JobWorkersOptions): JobWorkers {
  const workers = (Object.keys(jobCatalog) as JobName[]).map((name) =>
    workerFor(connection, name, routes[name], options),
  );
  return {
    ready: async () => {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },
    running: () => workers.every((w) => w.isRunning()),
    close: async () => {
      for (const worker of workers) await worker.close();
    },
  };
}

function workerFor<N extends JobName>(
  connection: RedisClient,
  name: N,
  route: JobRoutes[N],
  options: JobWorkersOptions,
): Worker {
  const definition = jobCatalog[name];
  const lockMs = options.lockMs ?? 30_000;
  const worker = new Worker(
    definition.queue,
    async (job: Job) => {
      if (job.name !== name) throw new UnrecoverableError(`unexpected job ${job.name} on queue ${definition.queue}`);
      const parsed = payloadSchemas[name].schema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
      const attempt = job.attemptsMade + 1;
      const context = { jobId: job.id ?? '', attempt, lastAttempt: attempt >= definition.attempts };
      try {
        await route.handle(parsed.data, context);
      } catch (error) {
        const permanent = error instanceof AnswerbridgeError && !error.retryable;
        if (permanent || context.lastAttempt) await route.onFinalFailure?.(parsed.data, error, context);
        if (permanent) throw new UnrecoverableError(`${error.code}: ${error.message}`);
        throw error;
      }
    },
    {
      connection,
      prefix: options.prefix,
      concurrency: route.concurrency,
      autorun: true,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      // A job whose worker died twice in a row is more likely the cause than the victim: fail it visibly.
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, err) => options.onFailed?.(definition.queue, job?.id, job?.attemptsMade, err));
  worker.on('error', (err) => options.onError?.(definition.queue, err));
  return worker;
}
