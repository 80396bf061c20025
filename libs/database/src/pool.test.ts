import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, DatabaseUrlError } from './errors';
import { createPool, describeDatabaseUrl, explainConnectionError } from './pool';

describe('DATABASE_URL in messages', () => {
  it('names user, host, port and database, never the password', () => {
    const where = describeDatabaseUrl('postgres://ab:s3cret@db.internal:6432/answerbridge');
    expect(where).toBe('ab@db.internal:6432/answerbridge');
    expect(describeDatabaseUrl('postgresql://127.0.0.1/x')).toBe('127.0.0.1:5432/x');
  });

  it('refuses what is not a postgres:// URL, saying what is expected', () => {
    expect(() => createPool('mysql://root@127.0.0.1/ab')).toThrow(DatabaseUrlError);
    expect(() => createPool('mysql://root@127.0.0.1/ab')).toThrow(/must start with postgres:\/\/ or postgresql:\/\//);
    expect(() => createPool('127.0.0.1:5432')).toThrow(/postgres:\/\/user\[:password\]@host:port\/database/);
  });

  it('words the failures people meet, without the password', () => {
    const url = 'postgres://ab:s3cret@127.0.0.1:5999/answerbridge';
    const refused = explainConnectionError(url, Object.assign(new AggregateError([], 'x'), { code: 'ECONNREFUSED' }));
    expect(refused).toBeInstanceOf(DatabaseUnavailableError);
    expect(refused.message).toMatch(/^PostgreSQL at ab@127\.0\.0\.1:5999\/answerbridge does not answer/);
    const missing = explainConnectionError(url, { code: '3D000', message: 'database "answerbridge" does not exist' });
    expect(missing.message).toMatch(/does not exist: create it/);
    const password = explainConnectionError(url, { code: '28P01', message: 'password authentication failed' });
    expect(password.message).toMatch(/refused the password/);
    for (const e of [refused, missing, password]) expect(e.message).not.toContain('s3cret');
  });
});
