// Small raw messages (up to spool-files.ts INLINE_MAX_BYTES) are kept in the database beside their
// message instead of as blob files: a blob file costs two fsyncs (the file's and its directory's),
// about a quarter of processing a message (bench/RESULTS.md, twelfth round), while a row rides on
// the commit that stores the message anyway. `messages.raw_inline` says where a message's raw
// copy is; `raw_key` still names the blob file of larger ones.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_raws')
    .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('messages').addColumn('raw_inline', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
