// The durable inbound spool, written with group commit: messages that finish DATA while commits
// are under way wait for the next one and share it (one statement, one fsync). The promise
// resolves only after the commit is on disk, so the SMTP receiver answers 250 after that; it
// rejects with the database's error, so the receiver can answer 451 or 452.
// PostgreSQL: synchronous_commit on (every connection sets it). SQLite: synchronous=FULL would fsync
// the WAL inside the statement, on the event loop (better-sqlite3 is synchronous), stalling every
// API request behind it for the fsync (tens of ms on a busy disk). Instead the statement commits
// at NORMAL (frames written to the WAL, not yet synced) and we fsync the WAL file ourselves, off
// the event loop, before resolving: the same durability as FULL (recovery replays every frame up
// to the last commit marker that reached the disk; a checkpoint syncs the WAL before copying it).
import fs from 'node:fs';
import path from 'node:path';
import { SQLITE_BUSY_TIMEOUT_MS, type Store } from '../db/connect.ts';
import { checkpointOffThread } from '../db/wal-checkpointer.ts';
import type { NewRow } from '../db/schema.ts';
import { newId } from '../core/ids.ts';

export interface SpoolEntry {
  mailFrom: string | null;
  recipients: string[];
  /** The message bytes (small messages) or the name of its fsynced spool file (large ones). */
  raw: Buffer | null;
  file: string | null;
  size: number;
}

interface Waiting {
  row: NewRow<'inbound_queue'>;
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}

/** Rows per commit: bounds one transaction's time on the event loop (SQLite runs it there). */
const MAX_BATCH = 64;
/**
 * Commits under way at once. The second one's statement runs while the first waits for its
 * fsync (or PostgreSQL's WAL flush), so messages do not queue behind a whole disk round trip;
 * each still resolves only after its own sync, which covers everything written before it.
 */
const MAX_COMMITS_IN_FLIGHT = 2;
/** How long a commit waits for SQLite's write lock before the messages get 451. */
const LOCK_WAIT_MS = 30_000;

export class InboundSpool {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private listeners: Array<() => void> = [];
  /** Commits made so far (group commit: fewer than messages under concurrency). */
  commits = 0;

  constructor(private readonly store: Store) {}

  /** Resolves with the spool id once the message is durably committed. */
  append(entry: SpoolEntry): Promise<string> {
    const row: NewRow<'inbound_queue'> = {
      id: newId(),
      via: 'smtp',
      mail_from: entry.mailFrom,
      recipients_json: JSON.stringify(entry.recipients),
      raw: entry.raw,
      spool_file: entry.file,
      size: entry.size,
      received_at: new Date().toISOString(),
      next_attempt_at: null,
      last_error: null,
    };
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      // Commit on the next turn of the event loop, so DATA ends arriving together share it.
      if (this.inFlight < MAX_COMMITS_IN_FLIGHT && this.waiting.length === 1) setImmediate(() => void this.commit());
    });
  }

  /** Called after each commit (the processor wakes up); returns the unsubscribe. */
  onCommit(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  private async commit(): Promise<void> {
    if (this.inFlight >= MAX_COMMITS_IN_FLIGHT || this.waiting.length === 0) return;
    this.inFlight++;
    // Inbound mail writes megabytes: keep SQLite's WAL checkpoints off the event loop (started
    // with the first mail, so an idle server does not pay for the thread).
    checkpointOffThread(this.store);
    const batch = this.waiting.splice(0, MAX_BATCH);
    try {
      await this.write(batch.map((w) => w.row));
      this.commits++;
      for (const w of batch) w.resolve(w.row.id);
      for (const fn of this.listeners) fn();
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.inFlight--;
      if (this.waiting.length) void this.commit();
    }
  }

  private async write(rows: NewRow<'inbound_queue'>[]): Promise<void> {
    const { db } = this.store;
    if (this.store.dialect === 'postgres') {
      // One statement is its own transaction: one round trip, where BEGIN, SET LOCAL, INSERT and
      // COMMIT took four. Every connection commits with synchronous_commit on (db/connect.ts).
      await db.insertInto('inbound_queue').values(rows).execute();
      return;
    }
    // The inbound processor's thread writes to the same file with its own connection, and
    // better-sqlite3 waits for another connection's lock synchronously, on this event loop: try
    // without waiting and, while the thread holds the lock, try again shortly (messages that
    // end meanwhile join the next batch).
    const deadline = Date.now() + LOCK_WAIT_MS;
    while (!(await db.connection().execute(async () => this.tryInsert(rows)))) {
      if (Date.now() > deadline) throw new Error(`The database stayed locked for ${LOCK_WAIT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await this.syncWal();
  }

  private insertAll: ((rows: NewRow<'inbound_queue'>[]) => void) | null = null;

  /** Inserts every row in one transaction if the write lock is free now; false if it is not. */
  private tryInsert(rows: NewRow<'inbound_queue'>[]): boolean {
    // Runs inside db.connection(): Kysely lends us SQLite's one connection, nothing interleaves.
    const sqlite = this.store.sqlite!;
    if (!this.insertAll) {
      const insert = sqlite.prepare(
        `insert into inbound_queue (id, via, mail_from, recipients_json, raw, spool_file, size, received_at, next_attempt_at, last_error)
         values (@id, @via, @mail_from, @recipients_json, @raw, @spool_file, @size, @received_at, @next_attempt_at, @last_error)`,
      );
      const all = sqlite.transaction((rs: NewRow<'inbound_queue'>[]) => {
        for (const r of rs) insert.run(r);
      });
      this.insertAll = (rs) => all.immediate(rs);
    }
    sqlite.pragma('busy_timeout = 0');
    try {
      this.insertAll(rows);
      return true;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_BUSY') return false;
      throw err;
    } finally {
      sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    }
  }

  private walFd: number | null = null;

  private async syncWal(): Promise<void> {
    const file = this.store.sqlite!.name;
    if (this.walFd === null) {
      // Exists now: the insert above wrote to it. Its directory entry is synced once, here.
      const fd = fs.openSync(`${file}-wal`, 'r');
      this.walFd = fd;
      this.store.beforeClose(async () => fs.closeSync(fd));
      await fsyncPath(path.dirname(file));
    }
    const fd = this.walFd;
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  }
}

async function fsyncPath(p: string): Promise<void> {
  const fd = fs.openSync(p, 'r');
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    fs.closeSync(fd);
  }
}

const spools = new WeakMap<Store, InboundSpool>();
/** One spool writer per store, so every receiver in the process shares its group commits. */
export function inboundSpool(store: Store): InboundSpool {
  let s = spools.get(store);
  if (!s) {
    s = new InboundSpool(store);
    spools.set(store, s);
  }
  return s;
}
