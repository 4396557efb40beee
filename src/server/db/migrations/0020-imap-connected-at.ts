// When the channel's current mailbox was connected: the import horizon after a UIDVALIDITY change
// starts no earlier (mail/imap-state.ts). It was the channel's creation time, which for a channel
// moved to another mailbox let a renumbering pour that mailbox's history since then into the inbox.
// Existing channels keep their creation time, as before.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_channel_settings').addColumn('imap_connected_at', 'text').execute();
  await sql`update email_channel_settings set imap_connected_at = (select created_at from channels where channels.id = email_channel_settings.channel_id) where imap_config is not null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
