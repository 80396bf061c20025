import type { ChannelRelay } from '@answerbridge/core';
/** The long-connection mode's lease and outbox: the port's ChannelRelay (libs/redis's RedisChannelRelay in production). */
export type AibotRelay = ChannelRelay;

/** The relay in one process's memory, same semantics: unit tests and single-process tools. */
export class InMemoryAibotRelay implements AibotRelay {
  private readonly leases = new Map<string, { token: string; until: number }>();
  private readonly boxes = new Map<string, string[]>();
  private readonly inflight = new Map<string, string[]>();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly now: () => number = Date.now) {}

  async acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(key);
    if (lease && lease.until > this.now()) return false;
    this.leases.set(key, { token, until: this.now() + ttlMs });
    return true;
  }

  async renewLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(key);
    if (!lease || lease.token !== token || lease.until <= this.now()) return false;
    lease.until = this.now() + ttlMs;
    return true;
  }

  async releaseLease(key: string, token: string): Promise<void> {
    if (this.leases.get(key)?.token === token) this.leases.delete(key);
  }

  async post(box: string, item: string): Promise<void> {
    this.list(this.boxes, box).push(item);
    for (const wake of [...this.waiters]) wake();
  }

  async take(box: string, waitMs: number): Promise<string | null> {
    const deadline = this.now() + waitMs;
    for (;;) {
      const item = this.list(this.boxes, box).shift();
      if (item !== undefined) {
        this.list(this.inflight, box).push(item);
        return item;
      }
      const left = deadline - this.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  async done(box: string, item: string): Promise<void> {
    const list = this.list(this.inflight, box);
    const at = list.indexOf(item);
    if (at >= 0) list.splice(at, 1);
  }

  async requeue(box: string): Promise<number> {
    const parked = this.list(this.inflight, box).splice(0);
    this.list(this.boxes, box).unshift(...parked);
    return parked.length;
  }

  async close(): Promise<void> {
    for (const wake of [...this.waiters]) wake();
  }

  private list(map: Map<string, string[]>, key: string): string[] {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    return list;
  }
}
