import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { clientNetwork } from './client-network';
import type { ConsoleContext, Session } from './console-context';
import { consoleMessages } from './console-messages';
import { roleAtLeast } from './console-users';

export const SESSION_COOKIE = 'ab_session';

declare module 'express-serve-static-core' {
  interface Request {
    session?: Session;
    sessionId?: string;
  }
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Loads the session named by the cookie, if any (sessions live in Redis, so any console replica serves them).
 * A session of an account since disabled, or whose password or role changed after it was issued, is none.
 */
export function loadSession(ctx: ConsoleContext): RequestHandler {
  return async (req, _res, next) => {
    const id = cookie(req, SESSION_COOKIE);
    if (id && /^[A-Za-z0-9_-]{43}$/.test(id)) {
      const raw = await ctx.sessions.get(`session:${id}`);
      const session = raw ? (JSON.parse(raw) as Session) : null;
      if (session && ctx.accounts.honours(session.username, session.issuedAt)) {
        req.session = session;
        req.sessionId = id;
      }
    }
    next();
  };
}

/**
 * Requires a session for the API, and for anything that changes state a CSRF token in the
 * X-CSRF-Token header that matches the session's (a cross-site form cannot set headers).
 */
export function requireSession(role?: 'editor' | 'admin'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.session)
      return void res.status(401).json({ error: 'CONSOLE.LOGIN_REQUIRED', message: consoleMessages.loginRequired });
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.get('x-csrf-token') !== req.session.csrf) {
      return void res.status(403).json({ error: 'CONSOLE.CSRF', message: consoleMessages.csrf });
    }
    if (role && !roleAtLeast(req.session.role, role))
      return void res.status(403).json({
        error: 'CONSOLE.FORBIDDEN',
        message: role === 'admin' ? consoleMessages.adminsOnly : consoleMessages.editorsOnly,
      });
    next();
  };
}

/** Session cookies are Secure when the request came over https (directly, or per a trusted proxy), unless the setting forces it. */
function cookieOptions(ctx: ConsoleContext, req: Request) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: ctx.config.CONSOLE_COOKIE_SECURE ?? req.secure,
    path: '/',
  };
}

/**
 * Logs in, throttled with counters in Redis, so every console replica refuses alike: per account from one
 * client address (req.ip, as CONSOLE_TRUST_PROXY allows; IPv6 by /64), per address over every account, and
 * per account over every address at ACCOUNT_WIDE_FACTOR times the first budget. The account's own budget is
 * kept per address so that guessing from one place cannot lock its owner out everywhere; the account-wide one
 * still stops guessing spread over many addresses. An attempt is taken from every budget before the password
 * is checked (concurrent guesses cannot all pass a check made first); once one is spent the answer is 429
 * without looking at the password, so the right one fails too until the window ends. A successful login
 * clears its account's budget at that address and gives the others their attempt back.
 */
/** The account's budget over every address, as a multiple of its budget at one address. */
const ACCOUNT_WIDE_FACTOR = 10;

export function login(ctx: ConsoleContext): RequestHandler {
  return async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      !username ||
      !password ||
      password.length > 200 ||
      username.length > 200
    ) {
      return void res.status(400).json({ error: 'CONSOLE.BAD_LOGIN', message: consoleMessages.loginFieldsRequired });
    }
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const network = clientNetwork(address);
    const accountHere = `login:account-at:${network}:${username}`;
    const account = `login:account:${username}`;
    const fromAddress = `login:address:${network}`;
    const perAccount = ctx.config.CONSOLE_LOGIN_MAX_FAILURES_PER_ACCOUNT;
    const decision = await ctx.loginAttempts.take([
      { key: accountHere, limit: perAccount },
      { key: account, limit: perAccount * ACCOUNT_WIDE_FACTOR },
      { key: fromAddress, limit: ctx.config.CONSOLE_LOGIN_MAX_FAILURES_PER_ADDRESS },
    ]);
    if (!decision.allowed) {
      const seconds = Math.ceil(decision.retryAfterMs / 1000);
      const by = decision.exhausted.includes(fromAddress) && decision.exhausted.length === 1 ? 'address' : 'account';
      ctx.loginThrottled.inc({ by });
      ctx.logger.warn(
        { event: 'console_login_throttled', by, account: username.slice(0, 64), address, retryAfterSeconds: seconds },
        'console login refused: too many failed attempts',
      );
      res.set('retry-after', String(seconds));
      return void res.status(429).json({
        error: 'CONSOLE.LOGIN_THROTTLED',
        message: consoleMessages.loginThrottled(Math.ceil(seconds / 60)),
        retryAfterSeconds: seconds,
      });
    }
    const user = await ctx.accounts.authenticate(username, password);
    if (!user) {
      ctx.logger.warn(
        { event: 'console_login_failed', account: username.slice(0, 64), address },
        'console login failed',
      );
      return void res.status(401).json({ error: 'CONSOLE.BAD_CREDENTIALS', message: consoleMessages.badCredentials });
    }
    await Promise.all([
      ctx.loginAttempts.clear(accountHere),
      ctx.loginAttempts.giveBack(account),
      ctx.loginAttempts.giveBack(fromAddress),
    ]);
    const id = randomBytes(32).toString('base64url');
    const session: Session = {
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      csrf: randomBytes(24).toString('base64url'),
      issuedAt: Date.now(),
    };
    const ttlMs = ctx.config.CONSOLE_SESSION_HOURS * 3_600_000;
    await ctx.sessions.set(`session:${id}`, JSON.stringify(session), ttlMs);
    res.cookie(SESSION_COOKIE, id, { ...cookieOptions(ctx, req), maxAge: ttlMs });
    res.json(session);
  };
}

export function logout(ctx: ConsoleContext): RequestHandler {
  return async (req, res) => {
    if (req.sessionId && req.session) {
      await ctx.sessions.deleteIfEquals(`session:${req.sessionId}`, JSON.stringify(req.session));
      ctx.eventStreams.closeAll(req.sessionId);
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions(ctx, req));
    res.json({ ok: true });
  };
}
