// Direct SMTP delivery to a connected team address needs proof that the account owns the
// address (QA: one account could connect another company's address and receive its mail).
// - email_channel_settings.team_address_verified_at: when a link mailed to the address was
//   confirmed; the address routes over SMTP (a channel_addresses row) only from then on.
// - address_verifications.purpose: a link verifies a custom From address or a team address.
// Team addresses connected before this had no proof: their routing rows go, so RCPT refuses them
// until verified; fetching over IMAP is unaffected.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('email_channel_settings').addColumn('team_address_verified_at', 'text').execute();
  await db.schema.alterTable('address_verifications').addColumn('purpose', 'text', (c) => c.notNull().defaultTo('from_address')).execute();
  await (db as Kysely<{ channel_addresses: { kind: string } }>).deleteFrom('channel_addresses').where('kind', '=', 'team').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('address_verifications').dropColumn('purpose').execute();
  await db.schema.alterTable('email_channel_settings').dropColumn('team_address_verified_at').execute();
}
