// The durable inbound spool, written with group commit: messages that finish DATA while commits
// are under way wait for the next one and share it (one statement, one fsync). The promise
// resolves only after the commit is on disk, so the SMTP receiver answers 250 after that; it
// rejects with the database's error, so the receiver can answer 451 or 452.
// A writer thread with its own connections does the inserts (spool-writer.ts), so none of the
// statement, the commit or the wait for it is on the event loop. PostgreSQL: commits with
// synchronous_commit on (spool-writer-postgres.mjs). SQLite: commits at NORMAL and fdatasyncs
// the WAL before answering (spool-writer-sqlite.mjs), the same durability as FULL (recovery
// replays every frame up to the last commit marker that reached the disk; a checkpoint syncs the
// WAL before copying it).
import type { Store } from '../db/connect.ts';
import { checkpointOffThread } from '../db/wal-checkpointer.ts';
import type { NewRow } from '../db/schema.ts';
import { newId } from '../core/ids.ts';
import { SpoolWriterThread } from './spool-writer.ts';
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

/** Rows per batch handed to the writer thread, which groups the batches that reach it while it commits. */
const MAX_BATCH = 64;
/** How long a commit waits for SQLite's write lock before the messages get 451. */
const LOCK_WAIT_MS = 30_000;

export class InboundSpool {
  private waiting: Waiting[] = [];
  private listeners: Array<() => void> = [];
  /** Batches committed so far (group commit: fewer than messages under concurrency; on SQLite the writer thread may join several into one transaction). */
  commits = 0;

  constructor(private readonly store: Store) {}

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
      if (this.waiting.length === 1) setImmediate(() => void this.commit());
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
    if (this.waiting.length === 0) return;
    // Inbound mail writes megabytes: keep SQLite's WAL checkpoints off the event loop (started
    // with the first mail, so an idle server does not pay for the thread).
    checkpointOffThread(this.store);
    const batch = this.waiting.splice(0, MAX_BATCH);
    if (this.waiting.length) setImmediate(() => void this.commit());
    try {
      await this.writer().write(batch.map((w) => w.row));
      this.commits++;
      for (const w of batch) w.resolve(w.row.id);
      for (const fn of this.listeners) fn();
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  private thread: SpoolWriterThread | null = null;

  private writer(): SpoolWriterThread {
    if (!this.thread) {
      const thread = this.store.postgresUrl ? SpoolWriterThread.postgres(this.store.postgresUrl) : SpoolWriterThread.sqlite(this.store.sqlite!.name, LOCK_WAIT_MS);
      this.store.beforeClose(() => thread.close());
      this.thread = thread;
    }
    return this.thread;
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
