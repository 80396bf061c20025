import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from '@answerbridge/config';
import { MigrationError } from './errors';
import type { Pool } from './pool';

/** One versioned SQL file of libs/database/migrations: NNNN_what_it_does.sql. */
export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

/** A row of schema_migrations: what was applied to this database. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/** Where the migrations live, in a checkout and in the image alike (deploy/docker/assemble-runtime.sh copies them). */
export const migrationsDir = path.join(workspaceRoot, 'libs/database/migrations');

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** sha256 of the SQL with line endings made LF, so a checkout with CRLF endings is not a "changed" migration. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * The migrations in version order, checked: every .sql file is named NNNN_name.sql, and the versions run
 * 1, 2, 3 … without a gap or a repeat (a gap is usually a file lost in a merge, a repeat two branches that
 * each added the next one).
 */
export function parseMigrations(files: { file: string; sql: string }[]): Migration[] {
  const migrations = files
    .filter((f) => f.file.endsWith('.sql'))
    .map(({ file, sql }) => {
      const m = FILE_NAME.exec(file);
      if (!m)
        throw new MigrationError(
          `migration file ${file} is not named NNNN_what_it_does.sql (four digits, then lower-case letters, digits and _)`,
        );
      return { version: Number(m[1]), name: m[2] ?? '', file, sql, checksum: checksumOf(sql) };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      const previous = migrations[i - 1];
      throw new MigrationError(
        previous && previous.version === m.version
          ? `migrations ${previous.file} and ${m.file} have the same number ${m.version}: renumber the newer one`
          : `migration ${m.file} should be number ${i + 1}: the numbers must run 1, 2, 3 … without a gap`,
      );
    }
  });
  return migrations;
}

/** Reads and checks the migrations of a folder. */
export function readMigrations(dir: string = migrationsDir): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new MigrationError(`the migrations folder ${dir} cannot be read: ${(error as Error).message}`);
  }
  return parseMigrations(names.map((file) => ({ file, sql: readFileSync(path.join(dir, file), 'utf8') })));
}

/**
 * What is left to apply, in order. Refuses, before anything runs, a database whose applied migrations differ
 * from the files: one changed after it was applied (the database was built by other SQL than the file now
 * says), or one this build does not have (a newer build migrated it; running older code on it is unsafe).
 */
export function pendingMigrations(migrations: Migration[], applied: AppliedMigration[]): Migration[] {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const a of [...applied].sort((x, y) => x.version - y.version)) {
    const m = byVersion.get(a.version);
    const label = `${String(a.version).padStart(4, '0')}_${a.name}`;
    if (!m)
      throw new MigrationError(
        `the database has migration ${label}, which this build does not have: a newer Answerbridge migrated it; run that version (or newer) against it`,
      );
    if (m.checksum !== a.checksum)
      throw new MigrationError(
        `migration ${m.file} was changed after it was applied to this database (applied ${a.checksum.slice(0, 12)}, file ${m.checksum.slice(0, 12)}): put the file back as it was and write the change as a new migration`,
      );
  }
  const done = new Set(applied.map((a) => a.version));
  return migrations.filter((m) => !done.has(m.version));
}

/** The advisory lock every migrating process takes, so two processes starting at once apply each migration once. */
export const MIGRATION_LOCK_KEY = 4_242_001_514;

export interface MigrateOptions {
  /** The migrations to apply; by default those of libs/database/migrations. */
  migrations?: Migration[];
  /** How long to wait for another process's migration before giving up. @defaultValue 60 000 */
  lockTimeoutMs?: number;
  /** Told of each migration applied. */
  onApplied?: (migration: Migration, ms: number) => void;
}

/**
 * Brings the database to the newest schema: under a session advisory lock, reads schema_migrations, refuses
 * a changed or unknown applied migration, and applies each pending one in its own transaction together with
 * its schema_migrations row (a failed one leaves nothing behind). Returns the files applied.
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = options.migrations ?? readMigrations();
  const client = await pool.connect();
  let locked = false;
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.round(options.lockTimeoutMs ?? 60_000))}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03')
        throw new MigrationError(
          'another process has been migrating this database for too long (the migration lock is held): look for a stuck process in pg_stat_activity',
          { cause: error },
        );
      throw error;
    }
    locked = true;
    await client.query('SET lock_timeout = 0');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      execution_ms integer NOT NULL
    )`);
    const { rows } = await client.query<AppliedMigration>('SELECT version, name, checksum FROM schema_migrations');
    const applied: string[] = [];
    for (const m of pendingMigrations(migrations, rows)) {
      const started = Date.now();
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query(
          'INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)',
          [m.version, m.name, m.checksum, Date.now() - started],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new MigrationError(`migration ${m.file} failed and was rolled back: ${(error as Error).message}`, {
          cause: error,
        });
      }
      options.onApplied?.(m, Date.now() - started);
      applied.push(m.file);
    }
    return applied;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
