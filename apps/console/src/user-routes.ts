import { RejectedInputError } from '@answerbridge/core';
import { CONSOLE_ROLES, LastAdminError, type ConsoleAccount, type ConsoleRole } from '@answerbridge/database';
import { Router, json, type ErrorRequestHandler, type Request } from 'express';
import { requireSession } from './auth';
import type { ConsoleContext } from './console-context';
import { consoleMessages } from './console-messages';
import { USERNAME } from './console-users';
import { hashPassword } from './password-hash';

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 200;
const DISPLAY_NAME_MAX = 64;

/** An account as the API shows it: never its password hash. */
const shown = (a: ConsoleAccount) => ({
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  disabled: a.disabled,
  createdAt: a.createdAt,
  createdBy: a.createdBy,
  updatedAt: a.updatedAt,
  updatedBy: a.updatedBy,
});

const bad = (message: string) => new RejectedInputError('CONSOLE.BAD_INPUT', message, 400);
const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) throw bad('displayName is required');
  if (value.trim().length > DISPLAY_NAME_MAX) throw bad(`displayName is longer than ${DISPLAY_NAME_MAX} characters`);
  return value.trim();
}

function roleOf(value: unknown): ConsoleRole {
  if (!CONSOLE_ROLES.includes(value as ConsoleRole))
    throw new RejectedInputError('CONSOLE.BAD_ROLE', consoleMessages.badRole, 400);
  return value as ConsoleRole;
}

function passwordOf(value: unknown): string {
  if (typeof value !== 'string' || value.length < PASSWORD_MIN || value.length > PASSWORD_MAX)
    throw new RejectedInputError('CONSOLE.BAD_PASSWORD', consoleMessages.badPassword(PASSWORD_MIN, PASSWORD_MAX), 400);
  return value;
}

/**
 * Account management, for admins only: list the accounts, add one, change its display name, role or whether
 * it may log in, and set a new password. Accounts live in PostgreSQL; a new role, a new password or disabling
 * ends the account's sessions. The last active admin cannot be disabled or demoted. Every change is an audit
 * line (event console_user_*) naming who made it, never a password.
 */
export function userRoutes(ctx: ConsoleContext): Router {
  const router = Router();
  const admin = requireSession('admin');
  const me = (req: Request) => req.session?.username ?? '';
  const audit = (event: string, req: Request, username: string, extra: Record<string, unknown> = {}) =>
    ctx.logger.info({ event, username, by: me(req), ...extra }, `console account: ${event}`);
  const notFound = (username: string) => ({
    error: 'CONSOLE.NO_SUCH_USER',
    message: consoleMessages.userNotFound(username),
  });

  router.get('/api/admin/users', admin, async (_req, res) => {
    await ctx.accounts.refresh();
    res.json({ users: ctx.accounts.all().map(shown), roles: CONSOLE_ROLES });
  });

  router.post('/api/admin/users', admin, json({ limit: '4kb' }), async (req, res) => {
    const b = body(req);
    const username = typeof b['username'] === 'string' ? b['username'].trim() : '';
    if (!USERNAME.test(username))
      throw new RejectedInputError('CONSOLE.BAD_USERNAME', consoleMessages.badUsername, 400);
    const account = {
      username,
      displayName: displayNameOf(b['displayName']),
      role: roleOf(b['role']),
      passwordHash: await hashPassword(passwordOf(b['password'])),
    };
    if (!(await ctx.accounts.store.create(account, me(req))))
      return void res.status(409).json({ error: 'CONSOLE.USER_EXISTS', message: consoleMessages.userExists(username) });
    await ctx.accounts.refresh();
    audit('console_user_created', req, username, { role: account.role });
    res.status(201).json({ user: shown(ctx.accounts.find(username)!), message: consoleMessages.userCreated(username) });
  });

  router.post('/api/admin/users/:username', admin, json({ limit: '4kb' }), async (req, res) => {
    const username = String(req.params.username);
    const b = body(req);
    const changes = {
      ...(b['displayName'] !== undefined ? { displayName: displayNameOf(b['displayName']) } : {}),
      ...(b['role'] !== undefined ? { role: roleOf(b['role']) } : {}),
      ...(b['disabled'] !== undefined
        ? {
            disabled: (() => {
              if (typeof b['disabled'] !== 'boolean') throw bad('disabled must be true or false');
              return b['disabled'];
            })(),
          }
        : {}),
    };
    if (!Object.keys(changes).length) throw bad('nothing to change: give displayName, role or disabled');
    const updated = await ctx.accounts.store.update(username, changes, me(req));
    if (!updated) return void res.status(404).json(notFound(username));
    await ctx.accounts.refresh();
    audit('console_user_updated', req, username, { changes });
    res.json({ user: shown(updated), message: consoleMessages.userUpdated(username) });
  });

  router.post('/api/admin/users/:username/password', admin, json({ limit: '4kb' }), async (req, res) => {
    const username = String(req.params.username);
    const passwordHash = await hashPassword(passwordOf(body(req)['password']));
    const updated = await ctx.accounts.store.update(username, { passwordHash }, me(req));
    if (!updated) return void res.status(404).json(notFound(username));
    await ctx.accounts.refresh();
    audit('console_user_password_reset', req, username);
    res.json({ user: shown(updated), message: consoleMessages.passwordReset(username) });
  });

  const onUserError: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (!(error instanceof LastAdminError)) return next(error);
    ctx.logger.warn(
      { event: 'console_user_change_refused', username: error.username, by: me(req) },
      'console account change refused: last admin',
    );
    res.status(409).json({ error: error.code, message: consoleMessages.lastAdmin(error.username) });
  };
  router.use(onUserError);
  return router;
}
