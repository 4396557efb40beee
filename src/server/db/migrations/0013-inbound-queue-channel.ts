// Mail fetched from a connected team mailbox (IMAP) goes through the inbound spool too, so that a
// message our processing cannot store yet waits there, retried with backoff, instead of holding
// the mailbox's UID watermark and every later message behind it. Such a row names the channel it
// was fetched for; SMTP rows find their channels by recipient address and leave it null.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbound_queue').addColumn('channel_id', 'text').execute();
  // The settings screen shows each mailbox's mail that waits after a failed attempt; SMTP rows
  // (most of a burst) stay out of the index.
  await db.schema.createIndex('inbound_queue_channel').on('inbound_queue').column('channel_id').where(sql.ref('channel_id'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbound_queue_channel').execute();
  await db.schema.alterTable('inbound_queue').dropColumn('channel_id').execute();
}
