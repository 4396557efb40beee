// Changing a user: admins change role, seat, teams and names of users in their account; every
// user changes their own first and last name and availability. Audited with before/after values.
import type { Ctx, UserActor } from './context.ts';
import type { Availability, Role, Row, Seat } from '../db/schema.ts';
import { DomainError, forbidden, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import { checkGrantees } from './create-inbox.ts';

export interface UpdateUserInput {
  userId: string;
  firstName?: string;
  lastName?: string;
  availability?: Availability;
  role?: Role;
  seat?: Seat;
  teamIds?: string[];
}

const SELF_FIELDS = new Set(['firstName', 'lastName', 'availability']);

export async function updateUser(ctx: Ctx<UserActor>, input: UpdateUserInput): Promise<Row<'users'>> {
  const { user: me, account } = ctx.actor;
  const target = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', input.userId)
    .where('account_id', '=', account.id)
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
  if (!target) throw notFound('User');
  const asked = Object.entries(input).filter(([k, v]) => k !== 'userId' && v !== undefined).map(([k]) => k);
  const admin = canManageSettings(me.role);
  if (!admin) {
    if (target.id !== me.id) throw forbidden('Only admins can change other users');
    const denied = asked.find((k) => !SELF_FIELDS.has(k));
    if (denied) throw forbidden(`Only admins can change ${denied}`);
  }
  // Super admins are the account's owners: only a super admin may make or unmake one.
  if (me.role !== 'super_admin' && (input.role === 'super_admin' || (target.role === 'super_admin' && target.id !== me.id && asked.some((k) => !SELF_FIELDS.has(k))))) {
    throw forbidden('Only super admins can change super admins');
  }
  if (input.role !== undefined && input.role !== 'super_admin' && target.role === 'super_admin') {
    const owners = await ctx.db.selectFrom('users').select('id').where('account_id', '=', account.id).where('role', '=', 'super_admin').where('deactivated_at', 'is', null).execute();
    if (owners.length <= 1) throw new DomainError('conflict', 'The account needs at least one super admin', 'role');
  }

  const changes: Record<string, { from: unknown; to: unknown }> = {};
  const patch: Partial<Row<'users'>> = {};
  const set = <K extends 'first_name' | 'last_name' | 'availability' | 'role' | 'seat'>(column: K, field: string, value: Row<'users'>[K] | undefined) => {
    if (value === undefined || value === target[column]) return;
    patch[column] = value;
    changes[field] = { from: target[column], to: value };
  };
  set('first_name', 'firstName', input.firstName?.trim());
  set('last_name', 'lastName', input.lastName?.trim());
  set('availability', 'availability', input.availability);
  set('role', 'role', input.role);
  set('seat', 'seat', input.seat);
  if (Object.keys(patch).length) await ctx.db.updateTable('users').set(patch).where('id', '=', target.id).execute();

  if (input.teamIds !== undefined) {
    const wanted = [...new Set(input.teamIds)];
    await checkGrantees(ctx, account.id, [], wanted);
    const current = (await ctx.db.selectFrom('team_members').select('team_id').where('user_id', '=', target.id).execute()).map((r) => r.team_id);
    if (wanted.length !== current.length || wanted.some((t) => !current.includes(t))) {
      await ctx.db.deleteFrom('team_members').where('user_id', '=', target.id).execute();
      if (wanted.length) await ctx.db.insertInto('team_members').values(wanted.map((team_id) => ({ team_id, user_id: target.id }))).execute();
      changes.teamIds = { from: current.sort(), to: [...wanted].sort() };
    }
  }
  if (Object.keys(changes).length === 0) return target;
  await ctx.audit({ accountId: account.id, action: 'user.updated', subjectType: 'user', subjectId: target.id, changes });
  await ctx.emit({ type: 'user.updated', accountId: account.id, inboxId: null, data: { userId: target.id, fields: Object.keys(changes) } });
  return { ...target, ...patch };
}
