import { describe, expect, it } from 'vitest';
import { MigrationError } from './errors';
import { checksumOf, parseMigrations, pendingMigrations, readMigrations } from './migrations';

const files = (...names: string[]) => names.map((file) => ({ file, sql: `-- ${file}\nSELECT 1;` }));
const applied = (m: { version: number; name: string; checksum: string }) => ({
  version: m.version,
  name: m.name,
  checksum: m.checksum,
});

describe('parseMigrations', () => {
  it('orders the files by number and ignores what is not SQL', () => {
    const ms = parseMigrations(files('0002_more.sql', 'README.md', '0001_first.sql', '0003_last_one.sql'));
    expect(ms.map((m) => [m.version, m.name])).toEqual([
      [1, 'first'],
      [2, 'more'],
      [3, 'last_one'],
    ]);
    expect(ms[0]?.checksum).toBe(checksumOf('-- 0001_first.sql\nSELECT 1;'));
  });

  it('refuses a file not named NNNN_name.sql', () => {
    expect(() => parseMigrations(files('0001_first.sql', '2_second.sql'))).toThrow(
      /2_second\.sql is not named NNNN_what_it_does\.sql/,
    );
    expect(() => parseMigrations(files('0001_First.sql'))).toThrow(MigrationError);
  });

  it('refuses a gap and a repeated number, naming the files', () => {
    expect(() => parseMigrations(files('0001_a.sql', '0003_c.sql'))).toThrow(/0003_c\.sql should be number 2/);
    expect(() => parseMigrations(files('0001_a.sql', '0002_b.sql', '0002_c.sql'))).toThrow(
      /0002_b\.sql and 0002_c\.sql have the same number 2/,
    );
  });

  it('takes CRLF and LF endings of the same SQL as the same migration', () => {
    expect(checksumOf('SELECT 1;\r\nSELECT 2;\r\n')).toBe(checksumOf('SELECT 1;\nSELECT 2;\n'));
    expect(checksumOf('SELECT 1;')).not.toBe(checksumOf('SELECT 2;'));
  });
});

describe('pendingMigrations', () => {
  const ms = parseMigrations(files('0001_a.sql', '0002_b.sql', '0003_c.sql'));
  const [a, b] = ms as [(typeof ms)[0], (typeof ms)[0]];

  it('is every migration on an empty database, and the rest after some were applied', () => {
    expect(pendingMigrations(ms, []).map((m) => m.version)).toEqual([1, 2, 3]);
    expect(pendingMigrations(ms, [applied(b), applied(a)]).map((m) => m.version)).toEqual([3]);
    expect(pendingMigrations(ms, ms.map(applied))).toEqual([]);
  });

  it('refuses a migration changed after it was applied, before anything runs', () => {
    expect(() => pendingMigrations(ms, [applied(a), { ...applied(b), checksum: checksumOf('SELECT 42;') }])).toThrow(
      /migration 0002_b\.sql was changed after it was applied to this database .*write the change as a new migration/,
    );
  });

  it('refuses a database migrated by a newer build', () => {
    expect(() => pendingMigrations(ms, [...ms.map(applied), { version: 4, name: 'later', checksum: 'x' }])).toThrow(
      /the database has migration 0004_later, which this build does not have/,
    );
  });
});

describe('the migrations of libs/database', () => {
  it('are numbered without gaps and start with the system of record', () => {
    const ms = readMigrations();
    expect(ms[0]?.file).toBe('0001_system_of_record.sql');
    for (const table of [
      'console_users',
      'console_roles',
      'knowledge_entries',
      'knowledge_versions',
      'faq_drafts',
      'analytics_events',
    ])
      expect(ms[0]?.sql).toContain(`CREATE TABLE ${table} (`);
  });

  it('cannot be read from a folder that is not there', () => {
    expect(() => readMigrations('/nonexistent/migrations')).toThrow(/migrations folder \/nonexistent\/migrations/);
  });
});
