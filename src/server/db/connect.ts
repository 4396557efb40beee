// Opens the store chosen by DATABASE_URL: PostgreSQL when set, otherwise SQLite in DATA_DIR.
// Everything above this module speaks Kysely and never learns which one it got.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type PostgresPool, type PostgresPoolClient, type SqliteDatabase } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/** How long a SQLite statement waits for another connection's write lock. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** For SQLite only: the raw handle, for pragmas that must be set per write (durable ingest). */
  sqlite?: SQLite.Database;
  /** For PostgreSQL only: where it is, for helpers that open their own connections (the spool's writer thread). */
  postgresUrl?: string;
  /** Runs fn before the store closes (helpers holding their own connection to it stop first). */
  beforeClose(fn: () => Promise<void>): void;
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
    const pool = new pg.Pool({ ...postgresConnection(opts.databaseUrl), max: opts.poolSize ?? 10 });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingRepeatedStatements(pool) }) });
    return { db, dialect: 'postgres', postgresUrl: opts.databaseUrl, ...closing(() => db.destroy()) };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const Sqlite = requireDriver('better-sqlite3') as typeof import('better-sqlite3');
  const sqlite = new Sqlite(path.join(opts.dataDir, 'parley.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  sqlite.pragma('synchronous = NORMAL');
  // Bounded WAL: checkpoint every ~1000 pages and truncate the file back after checkpoints.
  sqlite.pragma('wal_autocheckpoint = 1000');
  sqlite.pragma('journal_size_limit = 67108864');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    ...closing(() => db.destroy()),
  };
}

/**
 * How every connection to PostgreSQL is opened: commits wait for their WAL flush, whatever the
 * server's default, since writes behind an SMTP 250 rely on it (RFC 5321 §6.1); transactions that
 * need less (processing an already spooled message) say `set local` themselves. Set as a startup
 * option, so no connection ever runs a statement before it; any options the URL carries are kept.
 */
export function postgresConnection(databaseUrl: string): { connectionString: string; options: string } {
  const url = new URL(databaseUrl);
  const own = url.searchParams.get('options');
  // pg lets options in the URL override the ones given beside it: keep them here instead.
  url.searchParams.delete('options');
  return { connectionString: url.toString(), options: [own, '-c synchronous_commit=on'].filter(Boolean).join(' ') };
}

function closing(destroy: () => Promise<void>): Pick<Store, 'beforeClose' | 'close'> {
  const hooks: Array<() => Promise<void>> = [];
  return {
    beforeClose: (fn) => void hooks.push(fn),
    close: async () => {
      await Promise.allSettled(hooks.splice(0).map((fn) => fn()));
      await destroy();
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

/** A statement text seen this many times is sent as a named prepared statement from then on. */
const PREPARE_AFTER = 3;
/** At most this many named statements (each is prepared once per pooled connection). */
const MAX_PREPARED = 200;
/** Single data statements only: never DDL (migrations), SET, or multi-statement texts. */
const PREPARABLE = /^(select|insert|update|delete)\s/i;

/**
 * PostgreSQL parses and plans every statement it is sent unless it is a named prepared
 * statement, and the hot statements repeat the same text thousands of times: the joined auth
 * lookup on every request (planning that join cost more than running it), the inbound spool's
 * group-commit insert (one text per batch size) and the twenty-odd statements that store each
 * inbound email. Texts seen repeatedly are given a name, so pg prepares them once per
 * connection. A bounded set: IN lists and batches of varying length make one-off texts.
 */
function preparingRepeatedStatements(pool: Pool): PostgresPool {
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  const nameFor = (text: string): string | undefined => {
    const name = names.get(text);
    if (name !== undefined || names.size >= MAX_PREPARED || !PREPARABLE.test(text) || text.includes(';')) return name;
    const count = (seen.get(text) ?? 0) + 1;
    if (count < PREPARE_AFTER) {
      if (seen.size >= 10_000) seen.clear();
      seen.set(text, count);
      return undefined;
    }
    seen.delete(text);
    const fresh = `parley_${names.size}`;
    names.set(text, fresh);
    return fresh;
  };
  const wrapped = new WeakMap<PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrapped.get(client);
      if (!wrapper) {
        const query = (textOrCursor: unknown, values?: unknown[]): unknown => {
          const name = typeof textOrCursor === 'string' ? nameFor(textOrCursor) : undefined;
          if (name !== undefined) return client.query({ name, text: textOrCursor as string, values });
          return client.query(textOrCursor as never, values as never);
        };
        wrapper = {
          // The same two call shapes Kysely uses (text + values, or a cursor), passed through.
          query: query as unknown as PostgresPoolClient['query'],
          release: (destroy?: boolean) => client.release(destroy),
        };
        wrapped.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
