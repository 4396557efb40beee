// Teams group users for inbox access and automatic assignment.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, forbidden, invalid } from './errors.ts';
import { canManageSettings } from './policies.ts';

export async function createTeam(ctx: Ctx<UserActor>, input: { name: string; memberIds: string[] }): Promise<Row<'teams'>> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can create teams');
  const clash = await ctx.db.selectFrom('teams').select('id').where('account_id', '=', account.id).where('name', '=', input.name).executeTakeFirst();
  if (clash) throw new DomainError('conflict', `A team named "${input.name}" already exists`, 'name');
  const members = [...new Set(input.memberIds)];
  if (members.length) {
    const found = await ctx.db.selectFrom('users').select('id').where('account_id', '=', account.id).where('id', 'in', members).execute();
    if (found.length !== members.length) throw invalid('memberIds', 'One or more users do not exist in this account');
  }
  const team: Row<'teams'> = { id: ctx.newId(), account_id: account.id, name: input.name, created_at: ctx.now.toISOString() };
  await ctx.db.insertInto('teams').values(team).execute();
  if (members.length) await ctx.db.insertInto('team_members').values(members.map((user_id) => ({ team_id: team.id, user_id }))).execute();
  await ctx.audit({ accountId: account.id, action: 'team.created', subjectType: 'team', subjectId: team.id, changes: { name: input.name, memberIds: members } });
  await ctx.emit({ type: 'team.created', accountId: account.id, inboxId: null, data: { teamId: team.id } });
  return team;
}
