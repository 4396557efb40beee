// SQLite checkpoints the WAL into the database file inside whichever commit crosses
// wal_autocheckpoint, on that connection's thread: for the server that is the event loop, which
// then waits for the page copies and two fsyncs (hundreds of ms on a busy disk, every few MB of
// inbound mail). Where writes are heavy (the smtp role) the main connection stops checkpointing
// and a worker thread with its own connection does it in PASSIVE mode, which never blocks the
// main connection. The WAL still restarts from its start after a complete checkpoint and
// journal_size_limit bounds its file.
import { Worker } from 'node:worker_threads';
import type { Store } from './connect.ts';

const WORKER = new URL('./wal-checkpoint-worker.mjs', import.meta.url);
const started = new WeakSet<Store>();

/**
 * Moves the store's WAL checkpoints off the event loop (SQLite only; idempotent). True when a
 * checkpoint thread now looks after the store's file: other connections to it in this process
 * may then stop checkpointing too (see inbound-processor-thread.ts).
 */
export function checkpointOffThread(store: Store, intervalMs = 1_000): boolean {
  const sqlite = store.sqlite;
  if (!sqlite || sqlite.memory) return false;
  if (started.has(store)) return true;
  started.add(store);
  const worker = new Worker(WORKER, { workerData: { file: sqlite.name, intervalMs } });
  worker.unref();
  worker.on('error', () => {
    // Without the worker, let the main connection checkpoint again rather than grow the WAL.
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
  });
  store.beforeClose(async () => {
    await worker.terminate();
  });
  sqlite.pragma('wal_autocheckpoint = 0');
  return true;
}
