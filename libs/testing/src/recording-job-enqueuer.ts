import type { EnqueueOptions, EnqueueResult, JobEnqueuer, JobName, JobPayload } from '@answerbridge/core';

/** A job as a fake enqueuer recorded it. */
export interface RecordedJob<N extends JobName = JobName> {
  name: N;
  payload: JobPayload<N>;
  options: EnqueueOptions;
  jobId: string;
}

/**
 * The JobEnqueuer port in memory: records every job, and drops a second one with the same dedupe id the
 * way the queue does (it is then reported as a duplicate, with the first job's id). `fail` makes the next
 * enqueue reject, to test what a use case does when the queue is down.
 */
export class RecordingJobEnqueuer implements JobEnqueuer {
  readonly jobs: RecordedJob[] = [];
  private readonly byDedupeId = new Map<string, string>();
  private nextFailure: Error | null = null;

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: EnqueueOptions): Promise<EnqueueResult> {
    if (this.nextFailure) {
      const error = this.nextFailure;
      this.nextFailure = null;
      throw error;
    }
    const first = this.byDedupeId.get(options.dedupeId);
    if (first) return { jobId: first, duplicate: true };
    const jobId = `${options.dedupeId}.${this.jobs.length + 1}`;
    this.byDedupeId.set(options.dedupeId, jobId);
    this.jobs.push({ name, payload, options, jobId } as RecordedJob);
    return { jobId, duplicate: false };
  }

  /** The payloads recorded for one job name, in order. */
  payloadsOf<N extends JobName>(name: N): JobPayload<N>[] {
    return this.jobs.filter((j): j is RecordedJob<N> => j.name === name).map((j) => j.payload);
  }

  failNext(error: Error): void {
    this.nextFailure = error;
  }
}
