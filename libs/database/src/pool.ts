import pg from 'pg';
import { DatabaseUnavailableError, DatabaseUrlError } from './errors';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Where a DATABASE_URL points, for messages: user@host:port/database, never the password. */
export function describeDatabaseUrl(url: string): string {
  const u = parseDatabaseUrl(url);
  const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
  return `${user}${u.hostname || 'localhost'}:${u.port || '5432'}/${databaseName(u)}`;
}

function databaseName(u: URL): string {
  return decodeURIComponent(u.pathname.replace(/^\//, '')) || '(the user name)';
}

function parseDatabaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DatabaseUrlError(`DATABASE_URL is not a URL: expected postgres://user[:password]@host:port/database`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new DatabaseUrlError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${u.protocol}//: expected postgres://user[:password]@host:port/database`,
    );
  return u;
}

export interface PoolOptions {
  /** Connections kept at most (pg's default is 10). */
  max?: number;
  /** Shown in pg_stat_activity, so an operator sees which app holds a connection. */
  applicationName?: string;
  /** How long a connection attempt may take before it counts as failed. */
  connectTimeoutMs?: number;
}

/** A connection pool on DATABASE_URL; no connection is opened until the first query (see checkDatabase). */
export function createPool(url: string, options: PoolOptions = {}): Pool {
  parseDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'answerbridge',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process: the pool
  // replaces it on the next query, which fails (and is reported) by itself if the server is still gone.
  pool.on('error', () => undefined);
  return pool;
}

/** pg's error, or a socket error, in words that say what to do. */
export function explainConnectionError(url: string, error: unknown): DatabaseUnavailableError {
  const where = describeDatabaseUrl(url);
  const e = error as { code?: string; message?: string };
  const detail = e.message ?? String(error);
  const words: Record<string, string> = {
    ECONNREFUSED: `PostgreSQL at ${where} does not answer (connection refused): start it, or set DATABASE_URL to one that runs`,
    ENOTFOUND: `PostgreSQL host of ${where} is unknown (DNS): check the host in DATABASE_URL`,
    EAI_AGAIN: `PostgreSQL host of ${where} cannot be looked up now (DNS): check the host in DATABASE_URL`,
    ETIMEDOUT: `PostgreSQL at ${where} did not answer in time: check the host, port and firewall`,
    '3D000': `database of ${where} does not exist: create it (createdb), or fix the name in DATABASE_URL`,
    '28P01': `PostgreSQL refused the password for ${where}: check the user and password in DATABASE_URL`,
    '28000': `PostgreSQL refused the login for ${where} (pg_hba.conf or an unknown role): check the user in DATABASE_URL`,
    '57P03': `PostgreSQL at ${where} is starting up or shutting down: try again shortly`,
  };
  const known = e.code ? words[e.code] : undefined;
  const timedOut = /timeout/i.test(detail) ? words['ETIMEDOUT'] : undefined;
  return new DatabaseUnavailableError(`${known ?? timedOut ?? `PostgreSQL at ${where} cannot be used`} (${detail})`, {
    cause: error,
  });
}

/** Opens one connection and runs SELECT 1, so a bad DATABASE_URL stops a process at boot with words, not later. */
export async function checkDatabase(pool: Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw explainConnectionError(url, error);
  }
}

/**
 * Runs `work` inside one transaction on one connection: committed when it resolves, rolled back when it
 * throws (and the error passed on).
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
