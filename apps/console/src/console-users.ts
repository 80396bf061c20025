import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '@answerbridge/config';
import {
  CONSOLE_ROLES,
  type ConsoleAccount,
  type ConsoleRole,
  type NewConsoleAccount,
  type PostgresConsoleAccounts,
} from '@answerbridge/database';
import { z } from 'zod';
import { verifyPassword } from './password-hash';

export const USERNAME = /^[a-z0-9_.-]{2,32}$/;

const UserSchema = z.object({
  username: z.string().regex(USERNAME),
  displayName: z.string().min(1),
  role: z.enum(CONSOLE_ROLES),
  passwordHash: z.string().startsWith('scrypt$'),
});
/** An account as the console uses it: who may log in, under which name and role. */
export type ConsoleUser = Pick<ConsoleAccount, 'username' | 'displayName' | 'role' | 'passwordHash'>;

const RANK: Record<ConsoleRole, number> = { agent: 10, editor: 20, admin: 30 };
/** Whether `role` may do what `least` may (agent < editor < admin). */
export const roleAtLeast = (role: string | undefined, least: ConsoleRole): boolean =>
  role !== undefined && (RANK[role as ConsoleRole] ?? 0) >= RANK[least];

/**
 * The accounts of a users file ({users: [{username, displayName, role, passwordHash}]}), which seeds the
 * database: null when there is no such file. A file that is there must be right.
 */
export function loadUsersFile(file: string): NewConsoleAccount[] | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`console users file ${file}: ${(error as Error).message}`);
  }
  const parsed = z.object({ users: z.array(UserSchema).min(1) }).safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      `console users file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data.users;
}

// Checked against when the user does not exist, so a wrong username costs the same time as a wrong password.
const DUMMY_HASH = 'scrypt$16384$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** How often a replica re-reads the accounts, so one changed on another replica counts here too. */
const REFRESH_MS = 5_000;

/**
 * The console's accounts: PostgreSQL is where they are kept; this keeps a copy in memory, re-read every few
 * seconds and after every change made here, for what must answer at once (each request's session check,
 * agents' display names). A login reads its account from the database itself.
 */
export class ConsoleAccountDirectory {
  private accounts: ConsoleAccount[] = [];
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    readonly store: PostgresConsoleAccounts,
    private readonly onRefreshError: (error: unknown) => void,
  ) {}

  static async open(
    store: PostgresConsoleAccounts,
    onRefreshError: (error: unknown) => void,
  ): Promise<ConsoleAccountDirectory> {
    const directory = new ConsoleAccountDirectory(store, onRefreshError);
    await directory.refresh();
    directory.timer = setInterval(() => void directory.refresh().catch(onRefreshError), REFRESH_MS);
    directory.timer.unref();
    return directory;
  }

  async refresh(): Promise<void> {
    this.accounts = await this.store.list();
  }

  /** Every account, disabled ones too (the admin page lists them). */
  all(): ConsoleAccount[] {
    return this.accounts;
  }

  /** The accounts that may log in. */
  active(): ConsoleAccount[] {
    return this.accounts.filter((a) => !a.disabled);
  }

  find(username: string): ConsoleAccount | undefined {
    return this.accounts.find((a) => a.username === username);
  }

  /**
   * Whether a session of `username` issued at `issuedAt` still counts: the account is there, not disabled,
   * and its password and role have not changed since.
   */
  honours(username: string, issuedAt: number | undefined): boolean {
    const account = this.find(username);
    return !!account && !account.disabled && (issuedAt ?? 0) > account.sessionsValidAfter;
  }

  /** The account, when the password is right and it may log in; null otherwise (in about the same time). */
  async authenticate(username: string, password: string): Promise<ConsoleAccount | null> {
    const account = USERNAME.test(username) ? await this.store.get(username) : null;
    const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
    return account && ok && !account.disabled ? account : null;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
