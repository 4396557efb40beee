// Email in (issue 3): the durable inbound spool. The SMTP receiver answers 250 once a message is
// a row here (group-committed with other messages that finished DATA at the same moment); the
// inbound processor then turns rows into conversations and deletes each row in the same
// transaction as the rows it made, so a crash reprocesses and dedupe keeps it exactly once.
// Small messages travel in `raw`; large ones were streamed to an fsynced file under
// DATA_DIR/spool and `spool_file` names it. `bytea` is a BLOB to SQLite (blobs are stored as is).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inbound_queue')
    // Time-ordered ids (core/ids.ts): processing follows arrival.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('mail_from', 'text')
    .addColumn('recipients_json', 'text', (c) => c.notNull())
    .addColumn('raw', 'bytea')
    .addColumn('spool_file', 'text')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
