// Automatic assignment, notifications and tickets (issue 5, items 4-6):
// - user_assignment_state: when each user was last given a conversation, the "idle longest"
//   tie-breaker of automatic assignment (no row = never assigned = idle longest). A table of
//   its own rather than a users column, so code that builds whole user rows is unaffected;
// - notifications.actor_user_id: who caused the notification (assigned you, mentioned you);
// - indexes for the ticket list's filters and the unread-notifications count.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createTable('user_assignment_state')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('last_assigned_at', 'text', (c) => c.notNull())
    .execute();
  await s.alterTable('notifications').addColumn('actor_user_id', 'text').execute();
  await s.createIndex('notifications_user_unread').on('notifications').columns(['user_id', 'read_at']).execute();
  await s.createIndex('tickets_account_pipeline_stage').on('tickets').columns(['account_id', 'pipeline_id', 'stage_id', 'created_at', 'id']).execute();
  await s.createIndex('tickets_account_owner').on('tickets').columns(['account_id', 'owner_id', 'created_at', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
