import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ConsoleContext, Session } from './console-context';
import { authenticate } from './console-users';

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

/** Loads the session named by the cookie, if any (sessions live in Redis, so any console replica serves them). */
export function loadSession(ctx: ConsoleContext): RequestHandler {
  return async (req, _res, next) => {
    const id = cookie(req, SESSION_COOKIE);
    if (id && /^[A-Za-z0-9_-]{43}$/.test(id)) {
      const raw = await ctx.sessions.get(`session:${id}`);
      if (raw) {
        req.session = JSON.parse(raw) as Session;
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
export function requireSession(role?: 'admin'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.session) return void res.status(401).json({ error: 'CONSOLE.LOGIN_REQUIRED', message: 'log in first' });
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.get('x-csrf-token') !== req.session.csrf) {
      return void res.status(403).json({ error: 'CONSOLE.CSRF', message: 'missing or wrong X-CSRF-Token' });
    }
    if (role === 'admin' && req.session.role !== 'admin') return void res.status(403).json({ error: 'CONSOLE.FORBIDDEN', message: 'admins only' });
    next();
  };
}

export function login(ctx: ConsoleContext): RequestHandler {
  return async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password || password.length > 200) {
      return void res.status(400).json({ error: 'CONSOLE.BAD_LOGIN', message: 'username and password are required' });
    }
    const user = await authenticate(ctx.users, username, password);
    if (!user) {
      ctx.logger.warn({ username: username.slice(0, 40) }, 'console login failed');
      return void res.status(401).json({ error: 'CONSOLE.BAD_CREDENTIALS', message: 'wrong username or password' });
    }
    const id = randomBytes(32).toString('base64url');
    const session: Session = { username: user.username, displayName: user.displayName, role: user.role, csrf: randomBytes(24).toString('base64url') };
    const ttlMs = ctx.config.CONSOLE_SESSION_HOURS * 3_600_000;
    await ctx.sessions.set(`session:${id}`, JSON.stringify(session), ttlMs);
    res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: ctx.config.CONSOLE_COOKIE_SECURE, maxAge: ttlMs, path: '/' });
    res.json(session);
  };
}

export function logout(ctx: ConsoleContext): RequestHandler {
  return async (req, res) => {
    if (req.sessionId && req.session) await ctx.sessions.deleteIfEquals(`session:${req.sessionId}`, JSON.stringify(req.session));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  };
}
