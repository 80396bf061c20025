/** A logged-in agent talking to the console API, as the page or another tool would. */
export class ConsoleClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly cookie: string,
    readonly csrf: string,
    readonly username: string,
  ) {}

  static async login(baseUrl: string, username: string, password = 'answerbridge-demo'): Promise<ConsoleClient> {
    const res = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const session = (await res.json()) as { csrf: string };
    return new ConsoleClient(baseUrl, cookie, session.csrf, username);
  }

  async call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { cookie: this.cookie, 'content-type': 'application/json', ...(options.csrf === false ? {} : { 'x-csrf-token': this.csrf }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }

  /** The session cookie, for raw requests (pages, bull-board). */
  get cookieHeader(): string {
    return this.cookie;
  }

  conversationPath(conversationId: string, action = ''): string {
    return `/api/conversations/${encodeURIComponent(conversationId)}${action ? `/${action}` : ''}`;
  }

  /** Resolves with the first event of `type` about `conversationId` on the live stream (opened before acting). */
  async events(): Promise<{ next(type: string, conversationId: string, where?: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>; close(): void }> {
    const controller = new AbortController();
    const res = await fetch(`${this.baseUrl}/api/events`, { headers: { cookie: this.cookie }, signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const seen: Record<string, unknown>[] = [];
    const waiters: { matches: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const data = buffer.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (!data) continue;
          const event = JSON.parse(data.slice(6)) as Record<string, unknown>;
          seen.push(event);
          for (const w of [...waiters]) if (w.matches(event)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      }
    };
    void pump();
    return {
      next: (type, conversationId, where = () => true) => {
        const matches = (e: Record<string, unknown>) => e.type === type && e.conversationId === conversationId && where(e);
        const found = seen.find(matches);
        return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ matches, resolve }));
      },
      close: () => controller.abort(),
    };
  }
}
