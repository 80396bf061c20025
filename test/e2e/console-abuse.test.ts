import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@answerbridge/config';
import { bootstrap as startConsole, type RunningConsole } from '@answerbridge/console';
import { createLogger } from '@answerbridge/observability';
import { ConsoleClient } from '../support/console-client';
import { startSystem, type SystemUnderTest } from '../support/system-under-test';

const PASSWORD = 'answerbridge-demo';

/**
 * The console attacked as an outside probe did (issue 10): password guessing against one account and
 * sprayed across many from one address, on several replicas sharing one Redis; cookies behind an https
 * proxy; live-queue streams opened without end; and what the pages may run (CSP).
 */
describe('console under attack', () => {
  let sut: SystemUnderTest;
  /** Replicas beside the system's own console, on the same Redis: one trusts no proxy, one a proxy on loopback. */
  let plain: RunningConsole;
  let proxied: RunningConsole;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    sut = await startSystem();
    const logger = createLogger({
      name: 'console-abuse',
      level: 'warn',
      destination: { write: (line) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    plain = await startConsole(loadConfig({ ...sut.env, CONSOLE_PORT: '0' }, {}), logger);
    proxied = await startConsole(
      loadConfig({ ...sut.env, CONSOLE_PORT: '0', CONSOLE_TRUST_PROXY: 'loopback' }, {}),
      logger,
    );
  });
  afterAll(async () => {
    await plain?.close();
    await proxied?.close();
    await sut?.stop();
  });

  it('refuses guesses at an account once its budget is spent, then the right password too, on every replica', async () => {
    const limit = sut.config.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT;
    // 60 guesses at once: the budget is taken atomically, so exactly `limit` reach the password check.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ConsoleClient.attemptLogin(plain.url, 'agent1', `guess-${i}`)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - limit);
    const refused = answers.find((r) => r.status === 429)!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(sut.config.CONSOLE_LOGIN_WINDOW_SECONDS);
    const body = (await refused.json()) as { error: string; message: string };
    expect(body.error).toBe('CONSOLE.LOGIN_THROTTLED');
    expect(body.message).toMatch(/^登录失败次数过多，请 \d+ 分钟后再试/);

    // The right password is refused too, without being checked, on this replica and on the others.
    for (const replica of [plain, sut.console, proxied]) {
      const right = await ConsoleClient.attemptLogin(replica.url, 'agent1', PASSWORD);
      expect(right.status).toBe(429);
      expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    // Another account from the same address is not locked out (the address has only `limit` failures).
    expect((await ConsoleClient.attemptLogin(plain.url, 'agent2', PASSWORD)).status).toBe(200);

    // An operator can alert on it: a structured warning and a counter.
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 40,
        event: 'console_login_throttled',
        by: 'account',
        account: 'agent1',
        address: expect.stringMatching(/127\.0\.0\.1/),
      }),
    );
    const metrics = await (await fetch(`${plain.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `answerbridge_console_logins_throttled_total\\{by="account",service="console"\\} ${60 - limit + 1}\\b`,
      ),
    );
  });

  it("does not let guessing from one address lock the account's owner out elsewhere, but stops guessing spread over many addresses", async () => {
    // agent1 is locked at 127.0.0.1 by the test above; its owner, elsewhere, logs in.
    expect(
      (await ConsoleClient.attemptLogin(proxied.url, 'agent1', PASSWORD, { 'x-forwarded-for': '198.51.100.9' })).status,
    ).toBe(200);
    // Ten addresses, each within its own budget for the account, spend the account-wide one (ten times it).
    const limit = sut.config.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT;
    for (let a = 1; a <= 10; a++) {
      const tries = await Promise.all(
        Array.from({ length: limit }, (_, i) =>
          ConsoleClient.attemptLogin(proxied.url, 'ghost', `guess-${i}`, {
            'x-forwarded-for': `198.51.100.${100 + a}`,
          }),
        ),
      );
      expect(tries.map((r) => r.status)).toEqual(Array.from({ length: limit }, () => 401));
    }
    const eleventh = await ConsoleClient.attemptLogin(proxied.url, 'ghost', 'guess', {
      'x-forwarded-for': '198.51.100.200',
    });
    expect(eleventh.status).toBe(429);
  });

  it('refuses an address that sprays guesses across many accounts, whoever it tries next', async () => {
    const limit = sut.config.CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS;
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    const answers = await Promise.all(
      Array.from({ length: limit + 10 }, (_, i) =>
        ConsoleClient.attemptLogin(proxied.url, `spray${i}`, 'password1', attacker),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    // A real account with its right password, from that address: refused. From another address: fine.
    expect((await ConsoleClient.attemptLogin(proxied.url, 'agent2', PASSWORD, attacker)).status).toBe(429);
    expect(
      (await ConsoleClient.attemptLogin(proxied.url, 'agent2', PASSWORD, { 'x-forwarded-for': '203.0.113.8' })).status,
    ).toBe(200);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        event: 'console_login_throttled',
        by: 'address',
        account: 'agent2',
        address: '203.0.113.7',
      }),
    );

    // Rotating through the addresses of one IPv6 /64 (one subscriber's) does not reset the count.
    const rotating = await Promise.all(
      Array.from({ length: limit + 10 }, (_, i) =>
        ConsoleClient.attemptLogin(proxied.url, `v6spray${i}`, 'password1', {
          'x-forwarded-for': `2001:db8:7:7::${(i + 1).toString(16)}`,
        }),
      ),
    );
    expect(rotating.filter((r) => r.status === 429)).toHaveLength(10);
  });

  it('makes the session cookie Secure behind an https proxy it trusts, and only then', async () => {
    const cookieOf = async (url: string, headers: Record<string, string>) => {
      const res = await ConsoleClient.attemptLogin(url, 'admin', PASSWORD, headers);
      expect(res.status).toBe(200);
      return res.headers.get('set-cookie') ?? '';
    };
    const https = { 'x-forwarded-proto': 'https' };
    expect(await cookieOf(proxied.url, https)).toMatch(/;\s*Secure/i);
    expect(await cookieOf(proxied.url, {})).not.toMatch(/;\s*Secure/i);
    // Without a trusted proxy the header is anyone's to write, so it is ignored.
    expect(await cookieOf(plain.url, https)).not.toMatch(/;\s*Secure/i);
    expect(await cookieOf(plain.url, {})).toMatch(/HttpOnly/i);
    // CONSOLE_COOKIE_SECURE=true forces it (TLS ended somewhere the console cannot see).
    const forced = await startConsole(
      loadConfig({ ...sut.env, CONSOLE_PORT: '0', CONSOLE_COOKIE_SECURE: 'true' }, {}),
      createLogger({ name: 'forced', level: 'error' }),
    );
    try {
      expect(await cookieOf(forced.url, {})).toMatch(/;\s*Secure/i);
    } finally {
      await forced.close();
    }
  });

  it('keeps at most CONSOLE_MAX_EVENT_STREAMS_PER_SESSION live streams per session, closing the oldest', async () => {
    const max = sut.config.CONSOLE_MAX_EVENT_STREAMS_PER_SESSION;
    const admin = await ConsoleClient.login(sut.console.url, 'admin');
    const other = await ConsoleClient.login(sut.console.url, 'agent2');
    const otherStream = await other.events();
    const streams = [];
    for (let i = 0; i < max; i++) streams.push(await admin.events());
    const oldest = streams[0]!;
    streams.push(await admin.events());

    const evicted = await oldest.next('evicted');
    expect(evicted).toMatchObject({
      error: 'CONSOLE.TOO_MANY_EVENT_STREAMS',
      message: expect.stringContaining(`最多 ${max} 个`),
    });
    await oldest.ended;

    // The newer ones, and the other session's, still deliver events.
    const conversation = `wecom/${sut.bot.id}/sse-asker`;
    await sut.simulator.wecomClient(sut.bot.id).sendText('sse-asker', '我要转人工');
    for (const stream of [...streams.slice(1), otherStream]) await stream.next('escalated', conversation);

    // Logging out ends the session's streams on this replica; other sessions keep theirs.
    expect((await admin.call('POST', '/api/logout')).status).toBe(200);
    await Promise.all(streams.slice(1).map((s) => s.ended));
    await sut.idle();
    await other.call('POST', other.conversationPath(conversation, 'claim'));
    await otherStream.next('claimed', conversation);
    otherStream.close();
  });

  it('sends a CSP without unsafe-inline on every page it serves, and the inbox page carries no inline code', async () => {
    const admin = await ConsoleClient.login(sut.console.url, 'admin');
    const pages = [
      '/',
      '/admin/queues',
      '/admin/queues/queue/inbound',
      '/inbox/inbox.js',
      '/inbox/inbox.css',
      '/api/me',
      '/no-such-page',
      '/healthz',
    ];
    for (const page of pages) {
      const res = await fetch(`${sut.console.url}${page}`, { headers: { cookie: admin.cookieHeader } });
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, page).toMatch(/script-src 'self'(;|$)/);
      expect(csp, page).not.toContain('unsafe-inline');
      expect(csp, page).toContain("object-src 'none'");
      expect(csp, page).toContain("frame-ancestors 'none'");
      if ((res.headers.get('content-type') ?? '').startsWith('text/html'))
        expect(csp, page).toMatch(/default-src 'self'/);
    }
    const html = await (await fetch(sut.console.url)).text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });
});
