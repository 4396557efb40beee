// Deleting a conversation (core/delete-conversation.ts) must not let its mail come back: the
// dedupe in receive-email.ts looks at live messages only, so an IMAP re-scan, a re-fetch or an
// SMTP retry of a deleted message would open a new conversation. deleted_messages keeps each
// deleted email's dedupe key (inbox, Message-ID, content hash), and the same lookup consults it.
// The indexes serve the deletion itself: the foreign keys from timeline entries and
// notifications to conversations and messages are followed on every delete, and without them
// each deleted message scanned both tables.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deleted_messages')
    .addColumn('inbox_id', 'text', (c) => c.notNull().references('inboxes.id').onDelete('cascade'))
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('deleted_messages_pk', ['inbox_id', 'message_id', 'content_hash'])
    .execute();
  await db.schema.createIndex('timeline_entries_conversation').on('timeline_entries').column('conversation_id').execute();
  await db.schema.createIndex('timeline_entries_message').on('timeline_entries').column('message_id').execute();
  await db.schema.createIndex('notifications_conversation').on('notifications').column('conversation_id').execute();
  await db.schema.createIndex('notifications_message').on('notifications').column('message_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
