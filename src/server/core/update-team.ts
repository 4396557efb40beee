// Renaming a team and setting its members (admins only), audited with before/after values.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, forbidden, invalid, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';

export async function updateTeam(ctx: Ctx<UserActor>, input: { teamId: string; name?: string; memberIds?: string[] }): Promise<Row<'teams'>> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can change teams');
  const team = await ctx.db.selectFrom('teams').selectAll().where('id', '=', input.teamId).where('account_id', '=', account.id).executeTakeFirst();
  if (!team) throw notFound('Team');
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  if (input.name !== undefined && input.name !== team.name) {
    const clash = await ctx.db.selectFrom('teams').select('id').where('account_id', '=', account.id).where('name', '=', input.name).where('id', '!=', team.id).executeTakeFirst();
    if (clash) throw new DomainError('conflict', `A team named "${input.name}" already exists`, 'name');
    await ctx.db.updateTable('teams').set({ name: input.name }).where('id', '=', team.id).execute();
    changes.name = { from: team.name, to: input.name };
  }
  if (input.memberIds !== undefined) {
    const wanted = [...new Set(input.memberIds)];
    if (wanted.length) {
      const found = await ctx.db.selectFrom('users').select('id').where('account_id', '=', account.id).where('id', 'in', wanted).execute();
      if (found.length !== wanted.length) throw invalid('memberIds', 'One or more users do not exist in this account');
    }
    const current = (await ctx.db.selectFrom('team_members').select('user_id').where('team_id', '=', team.id).execute()).map((r) => r.user_id);
    if (wanted.length !== current.length || wanted.some((u) => !current.includes(u))) {
      await ctx.db.deleteFrom('team_members').where('team_id', '=', team.id).execute();
      if (wanted.length) await ctx.db.insertInto('team_members').values(wanted.map((user_id) => ({ team_id: team.id, user_id }))).execute();
      changes.memberIds = { from: current.sort(), to: [...wanted].sort() };
    }
  }
  if (Object.keys(changes).length === 0) return team;
  await ctx.audit({ accountId: account.id, action: 'team.updated', subjectType: 'team', subjectId: team.id, changes });
  // Membership changes who may see restricted inboxes, so every socket re-reads its rights.
  await ctx.emit({ type: 'team.updated', accountId: account.id, inboxId: null, data: { teamId: team.id, fields: Object.keys(changes) } });
  return { ...team, name: input.name ?? team.name };
}
