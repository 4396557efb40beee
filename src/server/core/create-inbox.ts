// Seed: "Create a new inbox (Professional or Enterprise only)": a name and who has access,
// then a channel now or later. The new inbox comes with its own fallback email address.
import type { Ctx, UserActor } from './context.ts';
import type { InboxAccess } from '../db/schema.ts';
import { DomainError, forbidden, invalid } from './errors.ts';
import { canManageSettings } from './policies.ts';
import { planAllowsMultipleInboxes, type MailDomains } from './mail-addresses.ts';
import { provisionInbox, type ProvisionedInbox } from './provision-inbox.ts';

export interface CreateInboxInput {
  name: string;
  access: InboxAccess;
  userIds: string[];
  teamIds: string[];
}

export async function createInbox(ctx: Ctx<UserActor>, input: CreateInboxInput, domains: MailDomains): Promise<ProvisionedInbox> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can create inboxes');
  if (!planAllowsMultipleInboxes(account.plan)) {
    throw new DomainError('plan_required', 'Creating more inboxes needs the Professional or Enterprise plan; upgrade to add inboxes');
  }
  await requireFreeInboxName(ctx, account.id, input.name);
  await checkGrantees(ctx, account.id, input.userIds, input.teamIds);
  const provisioned = await provisionInbox(ctx, { account, name: input.name, access: input.access, isDefault: false, domains });
  await writeGrants(ctx, provisioned.inbox.id, input.access === 'specific' ? input : { userIds: [], teamIds: [] });
  await ctx.audit({
    accountId: account.id,
    action: 'inbox.created',
    subjectType: 'inbox',
    subjectId: provisioned.inbox.id,
    changes: {
      name: { from: null, to: input.name },
      access: { from: null, to: input.access },
      ...(input.access === 'specific' ? { userIds: { from: [], to: [...new Set(input.userIds)].sort() }, teamIds: { from: [], to: [...new Set(input.teamIds)].sort() } } : {}),
    },
  });
  await ctx.emit({ type: 'inbox.created', accountId: account.id, inboxId: provisioned.inbox.id, data: { inboxId: provisioned.inbox.id } });
  return provisioned;
}

/**
 * Inbox names are unique in an account, ignoring case: they are how agents tell inboxes apart in
 * the "Current view" menu, and two "Sales" there would be a guess.
 */
export async function requireFreeInboxName(ctx: Ctx, accountId: string, name: string, exceptInboxId?: string): Promise<void> {
  const wanted = name.trim().toLocaleLowerCase();
  const inboxes = await ctx.db.selectFrom('inboxes').select(['id', 'name']).where('account_id', '=', accountId).execute();
  const clash = inboxes.find((i) => i.id !== exceptInboxId && i.name.trim().toLocaleLowerCase() === wanted);
  if (clash) throw new DomainError('conflict', `An inbox named "${clash.name}" already exists; choose another name`, 'name');
}

/** Every named user and team must belong to the account. */
export async function checkGrantees(ctx: Ctx, accountId: string, userIds: string[], teamIds: string[]): Promise<void> {
  if (userIds.length) {
    const found = await ctx.db.selectFrom('users').select('id').where('account_id', '=', accountId).where('id', 'in', userIds).execute();
    if (found.length !== new Set(userIds).size) throw invalid('userIds', 'One or more users do not exist in this account');
  }
  if (teamIds.length) {
    const found = await ctx.db.selectFrom('teams').select('id').where('account_id', '=', accountId).where('id', 'in', teamIds).execute();
    if (found.length !== new Set(teamIds).size) throw invalid('teamIds', 'One or more teams do not exist in this account');
  }
}

export async function writeGrants(ctx: Ctx, inboxId: string, grants: { userIds: string[]; teamIds: string[] }): Promise<void> {
  await ctx.db.deleteFrom('inbox_access_grants').where('inbox_id', '=', inboxId).execute();
  const rows = [
    ...[...new Set(grants.userIds)].map((userId) => ({ id: ctx.newId(), inbox_id: inboxId, user_id: userId, team_id: null })),
    ...[...new Set(grants.teamIds)].map((teamId) => ({ id: ctx.newId(), inbox_id: inboxId, user_id: null, team_id: teamId })),
  ];
  if (rows.length) await ctx.db.insertInto('inbox_access_grants').values(rows).execute();
}
