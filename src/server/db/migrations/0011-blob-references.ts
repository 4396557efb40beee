// The blob sweep (blobs/sweep-blobs.ts) asks which of a few hundred blob keys rows still refer to;
// without these indexes each question would read every message and attachment.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_raw_key').on('messages').column('raw_key').execute();
  await db.schema.createIndex('attachments_storage_key').on('attachments').column('storage_key').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('attachments_storage_key').execute();
  await db.schema.dropIndex('messages_raw_key').execute();
}
