// Verification links are no longer deleted when a new one is asked for: they are kept for a week,
// so the resend limits can count them and a superseded link can say so (core/verification-links.ts).
// The channel's links, newest first, are what every request and every channel view reads.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('address_verifications_channel').on('address_verifications').columns(['channel_id', 'purpose', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
