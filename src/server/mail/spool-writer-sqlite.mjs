// Worker thread of inbound-spool.ts on SQLite: its own connection to the database file, so the
// spool's inserts, their commits and the WAL fsync behind each SMTP 250 cost the event loop only
// a message each way (they were a fifth of its time per message in a burst), and waiting for the
// write lock while the inbound processor's thread holds it blocks this thread, not the receiver.
// Plain JavaScript: worker threads do not inherit the tsx loader.
//
// In: { seq, rows } (inbound_queue rows). Out: { seq } once the rows are committed and the WAL
// is on disk, or { seq, error: { message, code } }. Group commit: every batch that arrived while
// the previous fdatasync ran is taken at once, inserted in one transaction and made durable by
// one fdatasync, here on this thread (a hop to libuv's pool and back cost more than it saved).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { failure } from './spool-writer-failure.mjs';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';

const Database = createRequire(import.meta.url)('better-sqlite3');
const { file, busyTimeoutMs } = workerData;

const db = new Database(file, { fileMustExist: true });
// Waiting for the write lock is ours (withWriteLock below), not SQLite's busy handler.
db.pragma('busy_timeout = 0');
// NORMAL: the commit writes its WAL frames without syncing; the fdatasync below makes them
// durable, off this thread's critical path (the same guarantee as FULL once it returns).
db.pragma('synchronous = NORMAL');
// Checkpoints are the checkpoint thread's job (db/wal-checkpointer.ts), never this connection's.
db.pragma('wal_autocheckpoint = 0');

const insert = db.prepare(
  `insert into inbound_queue (id, via, channel_id, mail_from, recipients_json, raw, spool_file, size, received_at, next_attempt_at, last_error)
   values (@id, @via, @channel_id, @mail_from, @recipients_json, @raw, @spool_file, @size, @received_at, null, null)`,
);
const insertAll = db.transaction((rows) => {
  for (const row of rows) insert.run({ ...row, channel_id: row.channel_id ?? null, raw: row.raw ? Buffer.from(row.raw.buffer, row.raw.byteOffset, row.raw.byteLength) : null });
});

let walFd = null;
/** The WAL exists once something was written to it; its directory entry is synced once. */
function openWal() {
  if (walFd !== null) return walFd;
  walFd = fs.openSync(`${file}-wal`, 'r');
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
  return walFd;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Between tries for the write lock: short, since the processor's transactions hold it only briefly. */
const RETRY_MS = 0.2;

/**
 * Runs fn, trying again while another connection holds the write lock, for up to busyTimeoutMs.
 * SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25 … 100 ms between tries: once the
 * inbound processor ran one transaction after another (mail still arriving after a burst's
 * deferral), a spool commit slept through many moments the lock was free, and receiving fell to
 * the rate of processing.
 */
function withWriteLock(fn) {
  const deadline = performance.now() + busyTimeoutMs;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (err?.code !== 'SQLITE_BUSY' || performance.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, RETRY_MS);
    }
  }
}

/** Inserts the batches in one transaction; throws what SQLite threw. */
function insertBatches(batches) {
  withWriteLock(() => insertAll.immediate(batches.flatMap((b) => b.rows)));
}

/** Commits the batches; if they fail together, each on its own, so one cannot refuse another's mail. */
function commit(batches) {
  try {
    insertBatches(batches);
    return batches.map(() => null);
  } catch (err) {
    if (batches.length === 1) return [failure(err)];
    return batches.map((b) => {
      try {
        insertBatches([b]);
        return null;
      } catch (one) {
        return failure(one);
      }
    });
  }
}

parentPort.on('message', (first) => {
  const batches = [first];
  for (let next; (next = receiveMessageOnPort(parentPort)); ) batches.push(next.message);
  const errors = commit(batches);
  if (errors.some((e) => e === null)) {
    try {
      fs.fdatasyncSync(openWal());
    } catch (err) {
      errors.fill(failure(err));
    }
  }
  batches.forEach(({ seq }, i) => parentPort.postMessage(errors[i] ? { seq, error: errors[i] } : { seq }));
});
