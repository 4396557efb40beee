// The durable inbound spool, written with group commit: messages that finish DATA while commits
// are under way wait for the next one and share it (one statement, one fsync). The promise
// resolves only after the commit is on disk, so the SMTP receiver answers 250 after that; it
// rejects with the database's error, so the receiver can answer 451 or 452.
// PostgreSQL: synchronous_commit on (every connection sets it). SQLite: a writer thread with its
// own connection inserts, commits at NORMAL and fdatasyncs the WAL before answering
// (spool-writer.ts): the same durability as FULL (recovery replays every frame up to the last
// commit marker that reached the disk; a checkpoint syncs the WAL before copying it), with none of
// the statement, the commit or the wait for the write lock on the event loop.
import type { Store } from '../db/connect.ts';
import { checkpointOffThread } from '../db/wal-checkpointer.ts';
import type { NewRow } from '../db/schema.ts';
import { newId } from '../core/ids.ts';
import { SqliteSpoolWriter } from './spool-writer.ts';
import type { MessageSink } from './spool-files.ts';

export interface SpoolEntry {
  /** How it came: SMTP (channels found by recipient) or fetched over IMAP for `channelId`. */
  via?: 'smtp' | 'imap';
  /** IMAP: the channel fetched for. SMTP: the one channel of all its recipients, if they share one (its status shows the message's failures). */
  channelId?: string;
  mailFrom: string | null;
  recipients: string[];
  /** The message bytes (small messages) or the name of its fsynced spool file (large ones). */
  raw: Buffer | null;
  file: string | null;
  size: number;
  /** When the message reached the team (ISO): now, unless the mailbox it was fetched from says (IMAP INTERNALDATE). */
  receivedAt?: string;
}

interface Waiting {
  row: NewRow<'inbound_queue'>;
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}

/** Rows per commit: bounds one statement's size. */
const MAX_BATCH = 64;
/**
 * PostgreSQL commits under way at once. The second one's statement runs while the first waits
 * for its WAL flush, so messages do not queue behind a whole disk round trip; each still
 * resolves only after its own flush. SQLite's writer thread groups whatever reaches it during
 * an fdatasync into the next commit, so there every batch goes to it at once.
 */
const PG_COMMITS_IN_FLIGHT = 4;
/** How long a commit waits for SQLite's write lock before the messages get 451. */
const LOCK_WAIT_MS = 30_000;

export class InboundSpool {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private listeners: Array<() => void> = [];
  /** Batches committed so far (group commit: fewer than messages under concurrency; on SQLite the writer thread may join several into one transaction). */
  commits = 0;

  private readonly maxInFlight: number;

  constructor(private readonly store: Store) {
    this.maxInFlight = store.dialect === 'postgres' ? PG_COMMITS_IN_FLIGHT : Infinity;
  }

  /** Resolves with the spool id once the message is durably committed. */
  append(entry: SpoolEntry): Promise<string> {
    const row: NewRow<'inbound_queue'> = {
      id: newId(),
      via: entry.via ?? 'smtp',
      channel_id: entry.channelId ?? null,
      mail_from: entry.mailFrom,
      recipients_json: JSON.stringify(entry.recipients),
      raw: entry.raw,
      spool_file: entry.file,
      size: entry.size,
      received_at: entry.receivedAt ?? new Date().toISOString(),
      next_attempt_at: null,
      last_error: null,
    };
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      // Commit on the next turn of the event loop, so DATA ends arriving together share it.
      if (this.inFlight < this.maxInFlight && this.waiting.length === 1) setImmediate(() => void this.commit());
    });
  }

  /**
   * Finishes a collected message (a spool file is fsynced) and appends it; the file is removed if
   * the append fails, since no row will ever name it.
   */
  async appendSink(sink: MessageSink, entry: Omit<SpoolEntry, 'raw' | 'file' | 'size'>): Promise<string> {
    const size = sink.size;
    const { raw, file } = await sink.finish();
    try {
      return await this.append({ ...entry, raw, file, size });
    } catch (err) {
      if (file) await sink.discard();
      throw err;
    }
  }

  /** Called after each commit (the processor wakes up); returns the unsubscribe. */
  onCommit(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  private async commit(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
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
    await this.sqliteWriter().write(rows);
  }

  private writer: SqliteSpoolWriter | null = null;

  private sqliteWriter(): SqliteSpoolWriter {
    if (!this.writer) {
      const writer = new SqliteSpoolWriter(this.store.sqlite!.name, LOCK_WAIT_MS);
      this.store.beforeClose(() => writer.close());
      this.writer = writer;
    }
    return this.writer;
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
