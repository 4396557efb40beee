// Deactivating a user (admins; seed: users who leave the team). They can no longer sign in or
// call the API: their sessions end and their API tokens are revoked in the same transaction.
// Their open and snoozed conversations are unassigned, each with an activity line, so nothing
// waits on someone who is gone; automatic assignment and contact ownership already skip
// deactivated users. Teams, access grants and history stay, so reactivating restores them.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, forbidden, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import { recordActivity, userName } from './activity.ts';

async function targetUser(ctx: Ctx<UserActor>, userId: string, action: string): Promise<Row<'users'>> {
  const { user: me, account } = ctx.actor;
  if (!canManageSettings(me.role)) throw forbidden(`Only admins can ${action} users`);
  const target = await ctx.db.selectFrom('users').selectAll().where('id', '=', userId).where('account_id', '=', account.id).executeTakeFirst();
  if (!target) throw notFound('User');
  if (target.role === 'super_admin' && me.role !== 'super_admin') throw forbidden(`Only super admins can ${action} super admins`);
  return target;
}

export async function deactivateUser(ctx: Ctx<UserActor>, input: { userId: string }): Promise<{ user: Row<'users'>; unassigned: number }> {
  const { user: me, account } = ctx.actor;
  const target = await targetUser(ctx, input.userId, 'deactivate');
  if (target.deactivated_at) return { user: target, unassigned: 0 };
  // Only super admins deactivate super admins, never themselves: so one always stays active.
  if (target.id === me.id) throw new DomainError('conflict', 'You cannot deactivate yourself: ask another admin');
  const at = ctx.now.toISOString();
  await ctx.db.updateTable('users').set({ deactivated_at: at }).where('id', '=', target.id).execute();
  await ctx.db.deleteFrom('sessions').where('user_id', '=', target.id).execute();
  await ctx.db.updateTable('api_tokens').set({ revoked_at: at }).where('user_id', '=', target.id).where('revoked_at', 'is', null).execute();

  const waiting = await ctx.db.selectFrom('conversations').selectAll().where('assignee_id', '=', target.id).where('status', 'in', ['open', 'snoozed']).execute();
  for (const conversation of waiting) {
    await ctx.db.updateTable('conversations').set({ assignee_id: null }).where('id', '=', conversation.id).execute();
    await recordActivity(ctx, { ...conversation, assignee_id: null }, { type: 'unassigned', previousAssigneeId: target.id }, `Unassigned: ${userName(target)} was deactivated`);
  }
  await ctx.audit({ accountId: account.id, action: 'user.deactivated', subjectType: 'user', subjectId: target.id, changes: { deactivated: { from: false, to: true }, unassignedConversations: { from: 0, to: waiting.length } } });
  await ctx.emit({ type: 'user.updated', accountId: account.id, inboxId: null, data: { userId: target.id, fields: ['deactivated'] } });
  return { user: { ...target, deactivated_at: at }, unassigned: waiting.length };
}

export async function reactivateUser(ctx: Ctx<UserActor>, input: { userId: string }): Promise<Row<'users'>> {
  const { account } = ctx.actor;
  const target = await targetUser(ctx, input.userId, 'reactivate');
  if (!target.deactivated_at) return target;
  await ctx.db.updateTable('users').set({ deactivated_at: null }).where('id', '=', target.id).execute();
  await ctx.audit({ accountId: account.id, action: 'user.reactivated', subjectType: 'user', subjectId: target.id, changes: { deactivated: { from: true, to: false } } });
  await ctx.emit({ type: 'user.updated', accountId: account.id, inboxId: null, data: { userId: target.id, fields: ['deactivated'] } });
  return { ...target, deactivated_at: null };
}
