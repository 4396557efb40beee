// Worker thread of wal-checkpointer.ts: its own connection to the SQLite file, checkpointing the
// WAL in PASSIVE mode (never blocks the main connection's readers or writer) every interval.
// Plain JavaScript: worker threads do not inherit the tsx loader.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';

const Database = createRequire(import.meta.url)('better-sqlite3');
const { file, intervalMs } = workerData;
let db;
try {
  db = new Database(file, { fileMustExist: true });
} catch {
  // The store was removed before this thread started: nothing to checkpoint.
  process.exit(0);
}
// Never wait for the main connection: a busy checkpoint is simply tried again next time.
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  if (!fs.existsSync(file)) {
    clearInterval(timer);
    db.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // SQLITE_BUSY or a closing database: next interval.
  }
}, intervalMs);
