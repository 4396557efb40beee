// The settings screen's look at mail waiting for a retry (mail/waiting-mail.ts) asks for a
// channel's spool rows that failed at least once. SMTP rows now name their channel too, so an
// index on every row with a channel would cost each accepted message an index insert in its
// durable commit; indexing only the failed rows costs receiving nothing and still answers that
// look from the index.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbound_queue_channel').execute();
  await sql`create index inbound_queue_waiting on inbound_queue (channel_id) where attempts > 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('inbound_queue_waiting').execute();
  await db.schema.createIndex('inbound_queue_channel').on('inbound_queue').column('channel_id').where(sql.ref('channel_id'), 'is not', null).execute();
}
