// Worker thread of inbound-spool.ts on PostgreSQL: its own connections, so the spool's inserts,
// and the wait for each commit's WAL flush behind an SMTP 250, cost the event loop only a message
// each way. On the event loop, pg's socket writes and reads for the insert cost about as much as
// receiving the message, and a reply from PostgreSQL waited for the loop's turn.
// Plain JavaScript: worker threads do not inherit the tsx loader.
//
// In: { seq, rows } (inbound_queue rows). Out: { seq } once the rows are committed (every
// connection commits with synchronous_commit on: workerData.connection, from db/connect.ts), or { seq, error: { message, code } }. Group
// commit: up to COMMITS_IN_FLIGHT inserts run at once; batches that arrive meanwhile share the
// next one (one statement, its own transaction, one WAL flush).
import { createRequire } from 'node:module';
import { failure } from './spool-writer-failure.mjs';
import { parentPort, workerData } from 'node:worker_threads';

const pg = createRequire(import.meta.url)('pg');
const { connection } = workerData;

/**
 * Inserts under way at once: the second one's statement runs while the first waits for its WAL
 * flush, so messages do not queue behind a whole disk round trip.
 */
const COMMITS_IN_FLIGHT = 4;
/** Rows per insert: bounds one statement's size (and the number of prepared statements, one per row count). */
const MAX_ROWS = 64;

/** Idle connections are kept this long (pg's default is 10 s): mail after a lull need not wait to connect. */
const IDLE_MS = 60_000;

const pool = new pg.Pool({ ...connection, max: COMMITS_IN_FLIGHT, idleTimeoutMillis: IDLE_MS });
// An idle client's error (server restart) must not end the thread; the next insert reconnects.
pool.on('error', () => {});

const COLUMNS = ['id', 'via', 'channel_id', 'mail_from', 'recipients_json', 'raw', 'spool_file', 'size', 'received_at'];

/** The insert of n rows, as a named statement: PostgreSQL parses and plans it once per connection. */
function insertStatement(rows) {
  const tuples = rows.map((_, r) => `(${COLUMNS.map((_, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')}, null, null)`);
  return {
    name: `parley_spool_insert_${rows.length}`,
    text: `insert into inbound_queue (${COLUMNS.join(', ')}, next_attempt_at, last_error) values ${tuples.join(', ')}`,
    values: rows.flatMap((row) =>
      COLUMNS.map((column) => {
        const value = row[column] ?? null;
        // Posted Buffers arrive as plain Uint8Arrays; pg sends a Buffer as binary bytea.
        return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
      }),
    ),
  };
}

/** Commits the batches in one statement; if they fail together, each on its own, so one cannot refuse another's mail. */
async function commit(batches) {
  try {
    await pool.query(insertStatement(batches.flatMap((b) => b.rows)));
    return batches.map(() => null);
  } catch (err) {
    if (batches.length === 1) return [failure(err)];
    return Promise.all(
      batches.map((b) =>
        pool.query(insertStatement(b.rows)).then(
          () => null,
          (one) => failure(one),
        ),
      ),
    );
  }
}

const waiting = [];
let inFlight = 0;

/** Starts inserts while fewer than COMMITS_IN_FLIGHT run, each taking the batches waiting, up to MAX_ROWS rows. */
function pump() {
  while (inFlight < COMMITS_IN_FLIGHT && waiting.length > 0) {
    const batches = [waiting.shift()];
    let rows = batches[0].rows.length;
    while (waiting.length > 0 && rows + waiting[0].rows.length <= MAX_ROWS) {
      rows += waiting[0].rows.length;
      batches.push(waiting.shift());
    }
    inFlight++;
    void commit(batches).then((errors) => {
      inFlight--;
      batches.forEach(({ seq }, i) => parentPort.postMessage(errors[i] ? { seq, error: errors[i] } : { seq }));
      pump();
    });
  }
}

parentPort.on('message', (batch) => {
  waiting.push(batch);
  // On the next turn, so batches posted together share an insert.
  if (waiting.length === 1) setImmediate(pump);
});
