// Seed: the inbox's Access tab: "Available to everyone" (the default) or "Select users and teams
// who can edit". Admins only; the change is audited with the old and new values and emitted on
// the inbox (the socket hub re-reads rights, so people who lose access stop seeing it).
import type { Ctx, UserActor } from './context.ts';
import type { InboxAccess } from '../db/schema.ts';
import { invalid } from './errors.ts';
import { inboxForSettings } from './inbox-access.ts';
import { checkGrantees, writeGrants } from './create-inbox.ts';

export interface SetInboxAccessInput {
  inboxId: string;
  access: InboxAccess;
  userIds: string[];
  teamIds: string[];
}

const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();

export async function setInboxAccess(ctx: Ctx<UserActor>, input: SetInboxAccessInput): Promise<void> {
  const { user, account } = ctx.actor;
  const inbox = await inboxForSettings(ctx.db, user, input.inboxId, 'change who has access to an inbox');
  const wanted = input.access === 'specific' ? { userIds: sorted(input.userIds), teamIds: sorted(input.teamIds) } : { userIds: [], teamIds: [] };
  if (input.access === 'everyone' && (input.userIds.length || input.teamIds.length)) {
    throw invalid('access', 'Users and teams are chosen only with access "specific"; "everyone" gives every user access');
  }
  await checkGrantees(ctx, account.id, wanted.userIds, wanted.teamIds);
  const current = await ctx.db.selectFrom('inbox_access_grants').select(['user_id', 'team_id']).where('inbox_id', '=', inbox.id).execute();
  const before = {
    access: inbox.access,
    userIds: sorted(current.flatMap((g) => (g.user_id ? [g.user_id] : []))),
    teamIds: sorted(current.flatMap((g) => (g.team_id ? [g.team_id] : []))),
  };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (before.access !== input.access) changes.access = { from: before.access, to: input.access };
  if (before.userIds.join() !== wanted.userIds.join()) changes.userIds = { from: before.userIds, to: wanted.userIds };
  if (before.teamIds.join() !== wanted.teamIds.join()) changes.teamIds = { from: before.teamIds, to: wanted.teamIds };
  if (Object.keys(changes).length === 0) return;
  if (changes.access) await ctx.db.updateTable('inboxes').set({ access: input.access }).where('id', '=', inbox.id).execute();
  await writeGrants(ctx, inbox.id, wanted);
  await ctx.audit({ accountId: account.id, action: 'inbox.access_changed', subjectType: 'inbox', subjectId: inbox.id, changes });
  // Account-wide (inboxId null) so that users who just lost access are told too and can drop it.
  await ctx.emit({ type: 'inbox.access_changed', accountId: account.id, inboxId: null, data: { inboxId: inbox.id } });
}
