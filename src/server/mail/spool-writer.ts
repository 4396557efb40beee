// The event loop's side of the spool's writer threads (spool-writer-sqlite.mjs,
// spool-writer-postgres.mjs): hands the spool's batches to the thread and resolves each once the
// thread says it is committed and on disk. The thread starts with the first batch; if it dies,
// what it held is refused (the receiver answers 451, the sender retries) and the next batch
// starts a new one.
import { Worker } from 'node:worker_threads';
import { postgresConnection } from '../db/connect.ts';
import type { NewRow } from '../db/schema.ts';

type SpoolRow = Pick<NewRow<'inbound_queue'>, 'id' | 'via' | 'channel_id' | 'mail_from' | 'recipients_json' | 'raw' | 'spool_file' | 'size' | 'received_at'>;

interface Reply {
  seq: number;
  error?: { message: string; code?: string };
}

export class SpoolWriterThread {
  private worker: Worker | null = null;
  private seq = 0;
  /** Batches the thread holds, by sequence number: how to answer each, and its promise for close(). */
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void; written: Promise<void> }>();

  private constructor(
    private readonly script: URL,
    private readonly workerData: Record<string, unknown>,
  ) {}

  /** Into the SQLite database `file`; `lockWaitMs`: how long a batch waits for the write lock before it fails (and gets 451). */
  static sqlite(file: string, lockWaitMs: number): SpoolWriterThread {
    return new SpoolWriterThread(new URL('./spool-writer-sqlite.mjs', import.meta.url), { file, busyTimeoutMs: lockWaitMs });
  }

  /** Into the PostgreSQL database at `databaseUrl`. */
  static postgres(databaseUrl: string): SpoolWriterThread {
    return new SpoolWriterThread(new URL('./spool-writer-postgres.mjs', import.meta.url), { connection: postgresConnection(databaseUrl) });
  }

  /** Inserts the rows in one transaction; resolves once they are durable. */
  write(rows: SpoolRow[]): Promise<void> {
    const worker = this.worker ?? this.start();
    const seq = ++this.seq;
    let answer!: { resolve: () => void; reject: (err: Error) => void };
    const written = new Promise<void>((resolve, reject) => (answer = { resolve, reject }));
    this.pending.set(seq, { ...answer, written });
    worker.postMessage({ seq, rows });
    return written;
  }

  /** Lets the batches under way finish, then ends the thread. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending.values()].map((p) => p.written));
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: this.workerData });
    // The SMTP sockets keep the process alive while a sender waits; this thread alone must not.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const entry = this.pending.get(reply.seq);
      if (!entry) return;
      this.pending.delete(reply.seq);
      if (reply.error) entry.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else entry.resolve();
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [seq, entry] of this.pending) {
        this.pending.delete(seq);
        entry.reject(err);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The spool writer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
