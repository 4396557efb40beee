// dialect.ts's isRetryableConflict: which errors mean "this transaction lost a lock race and may
// run again from the start" (runInTransaction retries those), per store. Each store's codes count
// only on that store; unique violations and transient failures (a lost connection, a full disk)
// are not lock races.
import { describe, expect, it } from 'vitest';
import { isRetryableConflict, isTransientStoreError, isUniqueViolation } from '../src/server/db/dialect.ts';

const err = (code: unknown) => Object.assign(new Error(`failed with ${String(code)}`), { code });

describe('isRetryableConflict', () => {
  it("SQLite's refused write lock and stale snapshot, on SQLite only", () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']) {
      expect(isRetryableConflict('sqlite', err(code)), code).toBe(true);
      expect(isRetryableConflict('postgres', err(code)), code).toBe(false);
    }
  });

  it("PostgreSQL's serialization failure and deadlock, on PostgreSQL only", () => {
    for (const code of ['40001', '40P01']) {
      expect(isRetryableConflict('postgres', err(code)), code).toBe(true);
      expect(isRetryableConflict('sqlite', err(code)), code).toBe(false);
    }
  });

  it('not unique violations, transient failures or other errors', () => {
    const others = ['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_BUSY_RECOVERY', 'SQLITE_BUSY_TIMEOUT', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', '40000', '40002', '55P03', '57P01', 'ECONNRESET', 'ECONNREFUSED', '', 40001];
    for (const code of others) {
      expect(isRetryableConflict('sqlite', err(code)), String(code)).toBe(false);
      expect(isRetryableConflict('postgres', err(code)), String(code)).toBe(false);
    }
    expect(isUniqueViolation(err('40P01'))).toBe(false);
    expect(isTransientStoreError(err('40P01'))).toBe(false);
  });

  it('not values without a code', () => {
    for (const value of [undefined, null, 'SQLITE_BUSY', '40P01', 40001, new Error('SQLITE_BUSY'), {}, { code: null }, { message: '40P01' }]) {
      expect(isRetryableConflict('sqlite', value)).toBe(false);
      expect(isRetryableConflict('postgres', value)).toBe(false);
    }
  });
});
