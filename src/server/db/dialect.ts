// The few places where SQLite and PostgreSQL differ, answered once.
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './connect.ts';

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

const literalLists = new WeakMap<readonly string[], string>();

/**
 * `column` (an inbox id) among `inboxIds`: how lists and search keep to the inboxes a user may
 * see. The ids go in as SQL literals, not parameters: PostgreSQL prepares a text it sees
 * repeatedly (connect.ts) and after five runs keeps a generic plan, in which an IN list of
 * parameters is rebuilt and searched one id at a time for every index entry the newest-first
 * scan visits (+1.8 ms a page for 136 of 500 inboxes, bench/access-list.ts); a list of literals
 * is a constant it hashes once. The same scope gives the same text, so both stores keep the
 * statement. On PostgreSQL the column is wrapped in an expression: planning `inbox_id IN (…)`
 * weighed each id against the statistics and every inbox index (1.3 ms for 136 ids), for the
 * same plan. `inboxIds` should be a kept array (inbox-access.ts's scopes are): its literal
 * form is remembered by identity.
 */
export function inboxIn(dialect: DialectName, column: string, inboxIds: readonly string[]): RawBuilder<boolean> {
  if (inboxIds.length === 0) return sql<boolean>`1 = 0`;
  let list = literalLists.get(inboxIds);
  if (list === undefined) {
    list = inboxIds.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
    literalLists.set(inboxIds, list);
  }
  return dialect === 'postgres' ? sql<boolean>`(${sql.ref(column)} || '') in (${sql.raw(list)})` : sql<boolean>`${sql.ref(column)} in (${sql.raw(list)})`;
}
