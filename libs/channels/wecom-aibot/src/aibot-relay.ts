/**
 * What the long-connection mode needs from the shared store beyond KeyValueStore (Redis in production,
 * libs/redis's RedisChannelRelay): a lease with compare-and-renew, so that exactly one gateway replica in
 * the fleet holds a bot's socket, and a reliable outbox, so that the worker's replies reach whichever
 * replica holds it and nothing is lost when the holder changes (an item taken is parked in-flight until
 * done; the next holder puts the in-flight items back first).
 */
export interface AibotRelay {
  /** SET NX PX: true when this token now holds the lease. */
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease only while `token` still holds it; false: lost. */
  renewLease(key: string, token: string, ttlMs: number): Promise<boolean>;
  releaseLease(key: string, token: string): Promise<void>;
  /** Appends an item to a box. */
  post(box: string, item: string): Promise<void>;
  /** Takes the oldest item into the box's in-flight list, waiting up to `waitMs` for one; null: none. */
  take(box: string, waitMs: number): Promise<string | null>;
  /** Drops a handled item from in-flight. */
  done(box: string, item: string): Promise<void>;
  /** Puts every in-flight item back at the head of the box (a new holder, after the old one died); returns how many. */
  requeue(box: string): Promise<number>;
  close(): Promise<void>;
}

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
