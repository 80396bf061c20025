import { ConflictError } from '@answerbridge/core';
import { inTransaction, type Pool } from './pool';

/** agent < editor < admin: each may do what the ones before it may. */
export const CONSOLE_ROLES = ['agent', 'editor', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** A console account as stored (the password only as its scrypt hash). */
export interface ConsoleAccount {
  username: string;
  displayName: string;
  role: ConsoleRole;
  passwordHash: string;
  disabled: boolean;
  /** Sessions issued before this (epoch ms) are not honoured: set by a password reset, a role change, disabling. */
  sessionsValidAfter: number;
  createdAt: number;
  createdBy: string | null;
  updatedAt: number;
  updatedBy: string | null;
}

export interface NewConsoleAccount {
  username: string;
  displayName: string;
  role: ConsoleRole;
  passwordHash: string;
}

export interface ConsoleAccountChanges {
  displayName?: string;
  role?: ConsoleRole;
  disabled?: boolean;
  passwordHash?: string;
}

/** The change would leave no admin who can log in: nobody could manage accounts any more. */
export class LastAdminError extends ConflictError {
  constructor(readonly username: string) {
    super('CONSOLE.LAST_ADMIN', `${username} is the last active admin`);
  }
}

interface Row {
  username: string;
  display_name: string;
  role: ConsoleRole;
  password_hash: string;
  disabled: boolean;
  sessions_valid_after: Date;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  updated_by: string | null;
}

const COLUMNS =
  'username, display_name, role, password_hash, disabled, sessions_valid_after, created_at, created_by, updated_at, updated_by';

/** Epoch ms of a timestamptz; '-infinity' (pg gives it as -Infinity or a string) is 0: nothing is before it. */
const ms = (d: Date | number | string): number => {
  const t = d instanceof Date ? d.getTime() : typeof d === 'number' ? d : Date.parse(d);
  return Number.isFinite(t) ? t : 0;
};

function accountOf(r: Row): ConsoleAccount {
  return {
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    passwordHash: r.password_hash,
    disabled: r.disabled,
    sessionsValidAfter: ms(r.sessions_valid_after),
    createdAt: ms(r.created_at),
    createdBy: r.created_by,
    updatedAt: ms(r.updated_at),
    updatedBy: r.updated_by,
  };
}

/** Console accounts in PostgreSQL (console_users). */
export class PostgresConsoleAccounts {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<ConsoleAccount[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM console_users ORDER BY username`);
    return rows.map(accountOf);
  }

  async get(username: string): Promise<ConsoleAccount | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM console_users WHERE username = $1`, [username]);
    return rows[0] ? accountOf(rows[0]) : null;
  }

  /** Adds the account; false (and nothing changes) when the username is taken. */
  async create(account: NewConsoleAccount, by: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO console_users (username, display_name, role, password_hash, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (username) DO NOTHING`,
      [account.username, account.displayName, account.role, account.passwordHash, by],
    );
    return rowCount === 1;
  }

  /** Adds those of `accounts` whose username is not taken (an existing account is left as it is); returns them. */
  async seed(accounts: NewConsoleAccount[], by: string): Promise<string[]> {
    const added: string[] = [];
    for (const a of accounts) if (await this.create(a, by)) added.push(a.username);
    return added;
  }

  /**
   * Changes an account; null when there is none. A new role, a password or disabling ends its sessions. Refused
   * (LastAdminError) when it would leave no active admin; admins are locked first, so two admins demoting each
   * other at once cannot both succeed.
   */
  async update(username: string, changes: ConsoleAccountChanges, by: string): Promise<ConsoleAccount | null> {
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT username FROM console_users WHERE role = 'admin' AND NOT disabled FOR UPDATE`);
      const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM console_users WHERE username = $1 FOR UPDATE`, [
        username,
      ]);
      const before = rows[0];
      if (!before) return null;
      const role = changes.role ?? before.role;
      const disabled = changes.disabled ?? before.disabled;
      if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled)) {
        const { rows: others } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM console_users WHERE role = 'admin' AND NOT disabled AND username <> $1`,
          [username],
        );
        if (!others[0]?.n) throw new LastAdminError(username);
      }
      const endsSessions = role !== before.role || disabled !== before.disabled || changes.passwordHash !== undefined;
      const { rows: after } = await client.query<Row>(
        `UPDATE console_users SET display_name = $2, role = $3, disabled = $4, password_hash = $5,
           sessions_valid_after = COALESCE($6::timestamptz, sessions_valid_after),
           updated_at = now(), updated_by = $7
         WHERE username = $1 RETURNING ${COLUMNS}`,
        [
          username,
          changes.displayName ?? before.display_name,
          role,
          disabled,
          changes.passwordHash ?? before.password_hash,
          // The app's clock, as sessions are stamped with it: a DB clock ahead would refuse a fresh login.
          endsSessions ? new Date() : null,
          by,
        ],
      );
      return after[0] ? accountOf(after[0]) : null;
    });
  }

  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM console_users');
    return rows[0]?.n ?? 0;
  }
}
