// The few places where SQLite and PostgreSQL differ, answered once.
import { sql, type RawBuilder } from 'kysely';
import type SQLite from 'better-sqlite3';
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

/** SQLite: the write lock was held (BUSY), or another connection committed since the transaction's first read (BUSY_SNAPSHOT). */
const SQLITE_CONFLICTS = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT']);
/** PostgreSQL: serialization failure (40001), deadlock detected (40P01). */
const POSTGRES_CONFLICTS = new Set(['40001', '40P01']);

/**
 * True when the store refused a transaction because it lost a lock race with another one, so
 * that running the whole transaction again may succeed: nothing of it was committed (SQLite
 * refused the write, PostgreSQL rolled the transaction back). See runInTransaction.
 */
export function isRetryableConflict(dialect: DialectName, err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (dialect === 'sqlite' ? SQLITE_CONFLICTS : POSTGRES_CONFLICTS).has(code);
}

const literalLists = new WeakMap<readonly string[], string>();

/** The ids as a comma-separated list of SQL string literals, made once per kept array. */
function literalList(inboxIds: readonly string[]): string {
  let list = literalLists.get(inboxIds);
  if (list === undefined) {
    list = inboxIds.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
    literalLists.set(inboxIds, list);
  }
  return list;
}

/** Scope tables a SQLite connection keeps (see scopeTable); the least recently used is dropped first. */
const MAX_SCOPE_TABLES = 256;

interface ScopeTables {
  /** Table name by the scope's literal list; insertion order is use order. */
  names: Map<string, string>;
  next: number;
}
const scopeTablesOf = new WeakMap<SQLite.Database, ScopeTables>();

/**
 * The temp table of this connection that holds `inboxIds`, made on first use; undefined inside a
 * transaction (a rollback would take back a table we count as made). One small table per scope:
 * one table keyed by (scope, inbox) cost its probes 30-50 µs more a page once it held 200
 * scopes. Names are never reused, so a statement built just before its table was dropped
 * fails (no such table) rather than reading another scope's inboxes.
 */
function scopeTable(sqlite: SQLite.Database, inboxIds: readonly string[]): string | undefined {
  const key = literalList(inboxIds);
  let tables = scopeTablesOf.get(sqlite);
  const known = tables?.names.get(key);
  if (tables !== undefined && known !== undefined) {
    tables.names.delete(key); // most recently used last
    tables.names.set(key, known);
    return known;
  }
  if (sqlite.inTransaction) return undefined;
  if (tables === undefined) {
    tables = { names: new Map(), next: 1 };
    scopeTablesOf.set(sqlite, tables);
  }
  const name = `temp.inbox_scope_${tables.next++}`;
  sqlite.transaction(() => {
    sqlite.exec(`CREATE TABLE ${name} (inbox_id TEXT PRIMARY KEY) WITHOUT ROWID`);
    const insert = sqlite.prepare(`INSERT OR IGNORE INTO ${name} (inbox_id) VALUES (?)`);
    for (const id of inboxIds) insert.run(id);
  })();
  tables.names.set(key, name);
  if (tables.names.size > MAX_SCOPE_TABLES) {
    const [oldestKey, oldest] = tables.names.entries().next().value!;
    tables.names.delete(oldestKey);
    sqlite.exec(`DROP TABLE ${oldest}`);
  }
  return name;
}

/**
 * `column` (an inbox id) among `inboxIds`: how lists and search keep to the inboxes a user may
 * see. `inboxIds` should be a kept array (inbox-access.ts's scopes are): what is derived from it
 * is remembered by identity.
 *
 * Given the SQLite connection (`sqlite`), outside a transaction, the ids are a temp table kept
 * per scope, probed through its primary key: a list of 136 literals made SQLite build an
 * ephemeral index of them on every execution, ~70 µs of the +0.19 ms (+28%) the restricted
 * agent's uncached list page cost over a super admin's (bench/access-list.ts). The `+` keeps the
 * column out of index choice: with ANALYZE statistics, SQLite otherwise drove the query from
 * conversations_inbox_activity and sorted (12 ms instead of 0.5).
 *
 * Otherwise the ids go in as SQL literals, not parameters: PostgreSQL prepares a text it sees
 * repeatedly (connect.ts) and after five runs keeps a generic plan, in which an IN list of
 * parameters is rebuilt and searched one id at a time for every index entry the newest-first
 * scan visits (+1.8 ms a page for 136 of 500 inboxes); a list of literals is a constant it hashes
 * once. The same scope gives the same text, so both stores keep the statement. On PostgreSQL the
 * column is wrapped in an expression: planning `inbox_id IN (…)` weighed each id against the
 * statistics and every inbox index (1.3 ms for 136 ids), for the same plan.
 */
export function inboxIn(dialect: DialectName, column: string, inboxIds: readonly string[], sqlite?: SQLite.Database): RawBuilder<boolean> {
  if (inboxIds.length === 0) return sql<boolean>`1 = 0`;
  const table = sqlite === undefined ? undefined : scopeTable(sqlite, inboxIds);
  if (table !== undefined) return sql<boolean>`+${sql.ref(column)} in ${sql.raw(table)}`;
  const list = sql.raw(literalList(inboxIds));
  return dialect === 'postgres' ? sql<boolean>`(${sql.ref(column)} || '') in (${list})` : sql<boolean>`${sql.ref(column)} in (${list})`;
}
