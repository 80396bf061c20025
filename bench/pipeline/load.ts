/**
 * Load through the WeCom simulator: real encrypted, signed callbacks to the gateway, each from an asker
 * of its own, and the reply each gets back through the simulator's message/send.
 */
import type { RunningSimulator, WecomCallbackClient, WecomCallbackRequest } from '@answerbridge/simulator';

export interface Asked {
  user: string;
  sentAt: number;
  /** When each reply to this asker arrived (exactly one is expected). */
  replies: number[];
  status?: number;
}

export interface StepResult {
  /** Messages posted, messages answered, and answered per second from the first post to the last reply. */
  sent: number;
  answered: number;
  answeredPerSecond: number;
  /** Callback posted → reply received by the simulator (ms). */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Messages that got a second reply, or a non-200 from the gateway. */
  duplicates: number;
  rejected: number;
  seconds: number;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

/** Records every reply the simulator receives, by asker. */
export class ReplyTracker {
  private readonly asked = new Map<string, Asked>();
  private readonly waiters = new Map<string, () => void>();

  constructor(simulator: RunningSimulator) {
    simulator.wecom.on('sent', (m) => {
      const a = this.asked.get(m.toUser);
      if (!a) return;
      a.replies.push(m.at);
      this.waiters.get(m.toUser)?.();
    });
  }

  /** Askers that got more than one reply so far. */
  duplicates(): number {
    return [...this.asked.values()].filter((a) => a.replies.length > 1).length;
  }

  track(user: string, sentAt: number): Asked {
    const a: Asked = { user, sentAt, replies: [] };
    this.asked.set(user, a);
    return a;
  }

  /** Resolves when `user` has its first reply (at once if it has one). */
  replied(user: string, timeoutMs: number): Promise<void> {
    if ((this.asked.get(user)?.replies.length ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(user);
        reject(new Error(`no reply to ${user} within ${timeoutMs} ms: the pipeline lost or stalled a message`));
      }, timeoutMs);
      this.waiters.set(user, () => {
        clearTimeout(timer);
        this.waiters.delete(user);
        resolve();
      });
    });
  }
}

function summarize(asked: Asked[], started: number): StepResult {
  const answered = asked.filter((a) => a.replies.length > 0);
  const latencies = answered.map((a) => (a.replies[0] ?? 0) - a.sentAt).sort((x, y) => x - y);
  const last = Math.max(...answered.map((a) => a.replies[0] ?? 0), started + 1);
  const seconds = (last - started) / 1000;
  return {
    sent: asked.length,
    answered: answered.length,
    answeredPerSecond: answered.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p90Ms: percentile(latencies, 0.9),
    p99Ms: percentile(latencies, 0.99),
    duplicates: asked.filter((a) => a.replies.length > 1).length,
    rejected: asked.filter((a) => a.status !== 200).length,
    seconds,
  };
}

async function deliver(request: WecomCallbackRequest): Promise<number> {
  const res = await fetch(request.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: request.body });
  await res.arrayBuffer();
  return res.status;
}

/** Waits a little after the last reply so a duplicate would show up, then for anything still missing. */
async function awaitAll(tracker: ReplyTracker, asked: Asked[], timeoutMs: number): Promise<void> {
  await Promise.all(asked.map((a) => tracker.replied(a.user, timeoutMs)));
}

/**
 * Open loop: `rate` messages per second for `seconds`, posted on schedule whatever the replies do (as
 * WeCom delivers), then waits until every one is answered. The requests are encrypted before the clock starts.
 */
export async function offeredLoad(
  client: WecomCallbackClient,
  tracker: ReplyTracker,
  options: { rate: number; seconds: number; questions: string[]; userPrefix: string; drainTimeoutMs: number },
): Promise<StepResult> {
  const count = Math.max(1, Math.round(options.rate * options.seconds));
  const prepared = Array.from({ length: count }, (_, i) => {
    const user = `${options.userPrefix}-${i}`;
    const text = options.questions[i % options.questions.length] ?? '年假有几天？';
    return { user, request: client.buildRequest(client.textMessageXml(user, text)) };
  });
  const asked: Asked[] = [];
  const posts: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < count;) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Everything that is due by now goes out at once (timers on a busy machine fire late).
    while (i < count && started + (i * 1000) / options.rate <= Date.now() + 1) {
      const p = prepared[i++];
      if (!p) break;
      const a = tracker.track(p.user, Date.now());
      asked.push(a);
      posts.push(
        deliver(p.request).then(
          (status) => void (a.status = status),
          () => void (a.status = 0),
        ),
      );
    }
  }
  await Promise.all(posts);
  await awaitAll(tracker, asked, options.drainTimeoutMs);
  return summarize(asked, started);
}

/** Closed loop: `askers` people, each asking again as soon as the last answer arrives, for `seconds`. */
export async function concurrentAskers(
  client: WecomCallbackClient,
  tracker: ReplyTracker,
  options: { askers: number; seconds: number; questions: string[]; userPrefix: string; replyTimeoutMs: number },
): Promise<StepResult> {
  const asked: Asked[] = [];
  const started = Date.now();
  const until = started + options.seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: options.askers }, async () => {
      while (Date.now() < until) {
        const i = n++;
        const user = `${options.userPrefix}-${i}`;
        const request = client.buildRequest(
          client.textMessageXml(user, options.questions[i % options.questions.length] ?? '年假有几天？'),
        );
        const a = tracker.track(user, Date.now());
        asked.push(a);
        a.status = await deliver(request).catch(() => 0);
        await tracker.replied(user, options.replyTimeoutMs);
      }
    }),
  );
  return summarize(asked, started);
}
