// Reads that assemble User and Team API objects (rows plus their memberships).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';

export async function teamIdsOf(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.team_id);
}

/** team ids per user for many users at once. */
export async function teamIdsByUser(db: Kysely<Database>, userIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return map;
  const rows = await db.selectFrom('team_members').select(['team_id', 'user_id']).where('user_id', 'in', userIds).execute();
  for (const r of rows) map.get(r.user_id)?.push(r.team_id);
  return map;
}
