// When a connected mailbox last gave us a message, beside when it was last checked
// (last_fetched_at): the settings screen shows both, so a mailbox that is checked but never has
// mail (a forwarding rule gone, a filter moving everything away) stands out.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_channel_settings').addColumn('last_mail_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_channel_settings').dropColumn('last_mail_at').execute();
}
