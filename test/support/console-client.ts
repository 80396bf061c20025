/** A logged-in agent talking to the console API, as the page or another tool would. */
export class ConsoleClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly cookie: string,
    readonly csrf: string,
    readonly username: string,
  ) {}

  /** One login request as it is, for tests of the login itself (`headers`: e.g. what a proxy adds). */
  static attemptLogin(
    baseUrl: string,
    username: string,
    password: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${baseUrl}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ username, password }),
    });
  }

  static async login(
    baseUrl: string,
    username: string,
    password = 'answerbridge-demo',
    headers: Record<string, string> = {},
  ): Promise<ConsoleClient> {
    const res = await ConsoleClient.attemptLogin(baseUrl, username, password, headers);
    if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const session = (await res.json()) as { csrf: string };
    return new ConsoleClient(baseUrl, cookie, session.csrf, username);
  }

  /** An account the demo admin adds (as in 账号管理), logged in: e.g. the editor the knowledge pages are for. */
  static async createAccount(
    baseUrl: string,
    account: { username: string; displayName: string; role: 'agent' | 'editor' | 'admin'; password: string },
  ): Promise<ConsoleClient> {
    const admin = await ConsoleClient.login(baseUrl, 'admin');
    const created = await admin.call('POST', '/api/admin/users', account);
    if (created.status !== 201) throw new Error(`creating ${account.username}: ${created.status}`);
    return ConsoleClient.login(baseUrl, account.username, account.password);
  }

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    options: { csrf?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'content-type': 'application/json',
        ...(options.csrf === false ? {} : { 'x-csrf-token': this.csrf }),
      },
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

  /**
   * The live stream. `next` resolves with the first event of `type` (about `conversationId`, when given)
   * seen since the stream opened; events carry their SSE name as `type`. `ended` resolves when the server
   * closes the stream.
   */
  async events(): Promise<{
    next(
      type: string,
      conversationId?: string,
      where?: (e: Record<string, unknown>) => boolean,
    ): Promise<Record<string, unknown>>;
    ended: Promise<void>;
    close(): void;
  }> {
    const controller = new AbortController();
    const res = await fetch(`${this.baseUrl}/api/events`, {
      headers: { cookie: this.cookie },
      signal: controller.signal,
    });
    if (!res.ok || !res.body) throw new Error(`/api/events: ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const seen: Record<string, unknown>[] = [];
    const waiters: {
      matches: (e: Record<string, unknown>) => boolean;
      resolve: (e: Record<string, unknown>) => void;
    }[] = [];
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const data = lines.find((l) => l.startsWith('data: '));
          if (!data) continue;
          const name = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const event = { ...(name ? { type: name } : {}), ...(JSON.parse(data.slice(6)) as Record<string, unknown>) };
          seen.push(event);
          for (const w of [...waiters])
            if (w.matches(event)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(event);
            }
        }
      }
    };
    const ended = pump();
    return {
      next: (type, conversationId, where = () => true) => {
        const matches = (e: Record<string, unknown>) =>
          e.type === type && (conversationId === undefined || e.conversationId === conversationId) && where(e);
        const found = seen.find(matches);
        return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ matches, resolve }));
      },
      ended,
      close: () => controller.abort(),
    };
  }
}
