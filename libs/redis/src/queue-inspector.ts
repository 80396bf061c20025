import { AnswerbridgeError, jobCatalog, type QueueName } from '@answerbridge/core';
import { Queue, QueueEvents } from 'bullmq';
import type { RedisClient } from './redis-connection';

const allQueues = [...new Set(Object.values(jobCatalog).map((d) => d.queue))] as QueueName[];

/** Read-only views of the queues for health checks, tests and operators. */
export class QueueInspector {
  private readonly queues: Queue[];

  constructor(connection: RedisClient, prefix: string) {
    this.queues = allQueues.map((name) => new Queue(name, { connection, prefix }).on('error', () => undefined));
  }

  /** The queues themselves, read-only use only (bull-board in the console). */
  get all(): readonly Queue[] {
    return this.queues;
  }

  async counts(): Promise<Record<string, Record<string, number>>> {
    const entries = await Promise.all(
      this.queues.map(
        async (q) =>
          [q.name, await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized')] as const,
      ),
    );
    return Object.fromEntries(entries);
  }

  /** Total jobs ever added and still kept, across queues (completed + failed + pending). */
  async total(): Promise<number> {
    const counts = await this.counts();
    return Object.values(counts).reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
  }

  /** Jobs that exhausted their retries or failed permanently: the dead letters, newest first. */
  async deadLetters(limit = 100): Promise<
    {
      queue: string;
      id: string;
      name: string;
      reason: string;
      attempts: number;
      failedAt: number | null;
      data: unknown;
    }[]
  > {
    const all = await Promise.all(
      this.queues.map(async (q) =>
        (await q.getFailed(0, limit - 1)).map((j) => ({
          queue: q.name,
          id: j.id ?? '',
          name: j.name,
          reason: j.failedReason,
          attempts: j.attemptsMade,
          failedAt: j.finishedOn ?? null,
          data: j.data as unknown,
        })),
      ),
    );
    return all
      .flat()
      .sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0))
      .slice(0, limit);
  }

  /** Puts a dead letter back in its queue for another full set of attempts; false when there is no such failed job. */
  async replay(queue: string, id: string): Promise<boolean> {
    const q = this.queues.find((x) => x.name === queue);
    const job = q ? await q.getJob(id) : undefined;
    if (!job || !(await job.isFailed())) return false;
    await job.retry('failed');
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}

/**
 * Resolves once every queue has nothing waiting, delayed or active, observed through queue events
 * rather than by polling on a timer. Used by tests and benchmarks to know a burst has been handled.
 */
export async function waitForQueuesIdle(connection: RedisClient, prefix: string, timeoutMs = 60_000): Promise<void> {
  const queues = allQueues.map((name) => new Queue(name, { connection, prefix }));
  // QueueEvents blocks, so each needs its own connection; BullMQ treats a passed-in client as shared and
  // never closes it, so these are closed below (left open, they reconnect forever to a Redis that's gone).
  const eventConnections = allQueues.map(() => connection.duplicate());
  // Events are read from the stream's newest entry as it is now, before the first look at the counts: a
  // QueueEvents left to start at "$" misses a job finishing between that look and its first read, and the
  // wait then sees no event again (idle() timed out in CI with nothing left to do).
  const since = await Promise.all(
    queues.map(async (q) => {
      await q.waitUntilReady();
      const [newest] = await connection.xrevrange(q.keys.events ?? '', '+', '-', 'COUNT', 1);
      return newest?.[0] ?? '0-0';
    }),
  );
  const events = allQueues.map(
    (name, i) => new QueueEvents(name, { connection: eventConnections[i]!, prefix, lastEventId: since[i] ?? '0-0' }),
  );
  const counts = async () =>
    Promise.all(
      queues.map(async (q) => ({
        name: q.name,
        counts: await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
      })),
    );
  try {
    await Promise.all(events.map((e) => e.waitUntilReady()));
    const busy = async () => (await counts()).some((q) => Object.values(q.counts).some((n) => n > 0));
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        // Say what is left, so a failure names the queue and the state its jobs are stuck in.
        void counts()
          .then((all) =>
            all
              .flatMap((q) =>
                Object.entries(q.counts)
                  .filter(([, n]) => n > 0)
                  .map(([state, n]) => `${q.name} ${state} ${n}`),
              )
              .join(', '),
          )
          .catch(() => 'counts unavailable')
          .then((left) =>
            finish(new AnswerbridgeError('QUEUE.NOT_IDLE', `queues not idle after ${timeoutMs} ms: ${left}`, true)),
          );
      }, timeoutMs);
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        busy().then((b) => (b ? undefined : finish()), finish);
      };
      for (const e of events) {
        e.on('completed', check);
        e.on('failed', check);
        e.on('drained', check);
      }
      check();
    });
  } finally {
    await Promise.all(
      events.map(async (e) => {
        await e.close();
      }),
    );
    await Promise.all(queues.map((q) => q.close()));
    await Promise.all(eventConnections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
