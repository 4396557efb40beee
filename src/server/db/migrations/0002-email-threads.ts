// Email in (issue 3): the Message-IDs each conversation is known by within its inbox: the ids of
// its messages and the ids they refer to (In-Reply-To, References). A reply that overtakes the
// message it answers then claims that message's id, so the original joins the same conversation
// when it lands: two messages of a new thread arriving at once make one conversation.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_thread_keys')
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('email_thread_keys_pk', ['inbox_id', 'message_id'])
    .execute();
  await db.schema.createIndex('email_thread_keys_conversation').on('email_thread_keys').column('conversation_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
