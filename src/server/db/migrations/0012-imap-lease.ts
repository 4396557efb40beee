// Which process watches a connected team mailbox (mail/imap-poll.ts): every process plays the imap
// role by default, so two replicas would otherwise both keep a session open and fetch each message
// twice (ingest's dedupe would store it once, but status and watermark writes would race).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_channel_settings').addColumn('imap_lease_holder', 'text').execute();
  await db.schema.alterTable('email_channel_settings').addColumn('imap_lease_until', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_channel_settings').dropColumn('imap_lease_until').execute();
  await db.schema.alterTable('email_channel_settings').dropColumn('imap_lease_holder').execute();
}
