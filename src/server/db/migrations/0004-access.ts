// Access (issue 5): the per-request rights lookup finds the grants that name a user or one of
// their teams (core/inbox-access.ts), so both columns get an index.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('inbox_access_grants_user').on('inbox_access_grants').column('user_id').execute();
  await db.schema.createIndex('inbox_access_grants_team').on('inbox_access_grants').column('team_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('Parley migrations are forward-only; restore a backup to go back.');
}
