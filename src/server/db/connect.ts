// Opens the store chosen by DATABASE_URL: PostgreSQL when set, otherwise SQLite in DATA_DIR.
// Everything above this module speaks Kysely and never learns which one it got.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** For SQLite only: the raw handle, for pragmas that must be set per write (durable ingest). */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

export interface StoreOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

// Each driver is loaded only when chosen: a SQLite install never pays pg's memory and load
// time, nor a PostgreSQL one better-sqlite3's (both are CommonJS, so require is synchronous).
const requireDriver = createRequire(import.meta.url);

export function openStore(opts: StoreOptions): Store {
  if (opts.databaseUrl) {
    const pg = requireDriver('pg') as typeof import('pg');
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const Sqlite = requireDriver('better-sqlite3') as typeof import('better-sqlite3');
  const sqlite = new Sqlite(path.join(opts.dataDir, 'parley.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // Bounded WAL: checkpoint every ~1000 pages and truncate the file back after checkpoints.
  sqlite.pragma('wal_autocheckpoint = 1000');
  sqlite.pragma('journal_size_limit = 67108864');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    close: async () => {
      await db.destroy();
    },
  };
}

// SQLite in WAL mode with synchronous=NORMAL can lose the last commits on power loss; writes
// behind a promise to a sender (the spool's 250, an IMAP UID advance) commit with FULL. The pragma
// is per connection, so count the durable writes in flight and go back to NORMAL only when none
// is (other writes meanwhile are merely more durable). PostgreSQL callers set synchronous_commit.
const durableWrites = new WeakMap<Store, number>();
export async function durably<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  const db = store.sqlite;
  if (!db) return fn();
  const n = durableWrites.get(store) ?? 0;
  durableWrites.set(store, n + 1);
  if (n === 0) db.pragma('synchronous = FULL');
  try {
    return await fn();
  } finally {
    const left = durableWrites.get(store)! - 1;
    durableWrites.set(store, left);
    if (left === 0) db.pragma('synchronous = NORMAL');
  }
}

/**
 * Kysely prepares every query afresh; compiling the SQL costs better-sqlite3 more than running a
 * small indexed query (the joined auth lookup: ~15% of a cached list request's CPU). Statements
 * are reusable once a call returns, and Kysely holds SQLite's one connection for a whole stream or
 * transaction, so one statement is never used twice at a time. Bounded: queries built with
 * variable-length IN lists make many distinct SQL texts.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = sqlite.prepare(text);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}
