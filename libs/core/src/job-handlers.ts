import type { JobName, JobPayload } from './job-catalog';

export interface JobContext {
  jobId: string;
  attempt: number;
  /** True on the last attempt: a handler can degrade (escalate, notify) instead of failing silently. */
  lastAttempt: boolean;
}

export type JobHandler<N extends JobName> = (payload: JobPayload<N>, context: JobContext) => Promise<void>;

/** How the worker runs one catalog job. */
export interface JobRoute<N extends JobName> {
  handle: JobHandler<N>;
  /** How many of these jobs one worker process runs at once. */
  concurrency: number;
  /**
   * Called when the job fails for good, before it is kept as a dead letter: its error is not retryable
   * (an AnswerbridgeError with `retryable: false`) or this was its last attempt.
   */
  onFinalFailure?: (payload: JobPayload<N>, error: unknown, context: JobContext) => Promise<void>;
}

/** One route per job of the catalog: a job added to the catalog without a handler does not compile. */
export type JobRoutes = { [N in JobName]: JobRoute<N> };
