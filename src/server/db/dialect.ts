// The few places where SQLite and PostgreSQL differ, answered once.

/** True when an insert hit a unique constraint (SQLITE_CONSTRAINT_UNIQUE / PG 23505). */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when the database could not be reached or is failing, i.e. our fault and worth a retry. */
export function isTransientStoreError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = String((err as { code?: unknown }).code ?? '');
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_IOERR', 'ENOSPC', '57P01', '53100', '53300', '08006', '08001'].includes(code) ||
    code.startsWith('SQLITE_IOERR')
  );
}
