// Assembles Inbox API objects: the inbox, its access grants, its channels (channel-view.ts),
// and what the caller may do there. Inboxes the caller may not see are never returned.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { InboxT } from '../../shared/api.ts';
import { inboxRights } from '../core/inbox-access.ts';
import { notFound } from '../core/errors.ts';
import { channelViews } from './channel-view.ts';

export async function listInboxViews(db: Kysely<Database>, user: Row<'users'>): Promise<InboxT[]> {
  const rights = await inboxRights(db, user);
  const ids = [...rights.keys()];
  if (ids.length === 0) return [];
  const inboxes = await db.selectFrom('inboxes').selectAll().where('id', 'in', ids).orderBy('is_default', 'desc').orderBy('created_at').orderBy('id').execute();
  const channels = await db.selectFrom('channels').selectAll().where('inbox_id', 'in', ids).orderBy('created_at').orderBy('id').execute();
  const views = await channelViews(db, channels);
  const grants = await db.selectFrom('inbox_access_grants').selectAll().where('inbox_id', 'in', ids).execute();
  return inboxes.map((inbox) => ({
    id: inbox.id,
    name: inbox.name,
    isDefault: inbox.is_default === 1,
    access: inbox.access,
    accessGrants: {
      userIds: grants.filter((g) => g.inbox_id === inbox.id && g.user_id).map((g) => g.user_id as string),
      teamIds: grants.filter((g) => g.inbox_id === inbox.id && g.team_id).map((g) => g.team_id as string),
    },
    myAccess: rights.get(inbox.id) === 'act' ? 'act' : 'view',
    channels: views.filter((c) => c.inboxId === inbox.id),
    createdAt: inbox.created_at,
  }));
}

export async function loadInboxView(db: Kysely<Database>, user: Row<'users'>, inboxId: string): Promise<InboxT> {
  const found = (await listInboxViews(db, user)).find((i) => i.id === inboxId);
  if (!found) throw notFound('Inbox');
  return found;
}
