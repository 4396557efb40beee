// Adds a user to an account (admins, or the CLI) with a role, a seat and teams.
import type { Ctx } from './context.ts';
import type { Role, Row, Seat } from '../db/schema.ts';
import { DomainError, forbidden } from './errors.ts';
import { hashPassword } from './passwords.ts';
import { canManageSettings } from './policies.ts';
import { checkGrantees } from './create-inbox.ts';

export interface CreateUserInput {
  accountId: string;
  email: string;
  password?: string;
  firstName?: string;
  lastName?: string;
  role: Role;
  seat: Seat;
  teamIds: string[];
}

export async function createUser(ctx: Ctx, input: CreateUserInput): Promise<Row<'users'>> {
  if (ctx.actor.kind === 'user') {
    if (!canManageSettings(ctx.actor.user.role)) throw forbidden('Only admins can add users');
    // An admin cannot mint a super admin: that would be a privilege escalation.
    if (input.role === 'super_admin' && ctx.actor.user.role !== 'super_admin') throw forbidden('Only super admins can add super admins');
  }
  const email = input.email.trim().toLowerCase();
  const taken = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (taken) throw new DomainError('email_taken', `A user with the email ${email} already exists`, 'email');
  await checkGrantees(ctx, input.accountId, [], input.teamIds);
  const user: Row<'users'> = {
    id: ctx.newId(),
    account_id: input.accountId,
    email,
    first_name: input.firstName?.trim() || email.split('@')[0] || email,
    last_name: input.lastName?.trim() ?? '',
    password_hash: input.password ? await hashPassword(input.password) : null,
    role: input.role,
    seat: input.seat,
    availability: 'available',
    notify_in_app: 1,
    notify_email: 1,
    created_at: ctx.now.toISOString(),
    deactivated_at: null,
  };
  await ctx.db.insertInto('users').values(user).execute();
  const teams = [...new Set(input.teamIds)];
  if (teams.length) await ctx.db.insertInto('team_members').values(teams.map((team_id) => ({ team_id, user_id: user.id }))).execute();
  await ctx.audit({ accountId: input.accountId, action: 'user.created', subjectType: 'user', subjectId: user.id, changes: { email, role: input.role, seat: input.seat, teamIds: teams } });
  await ctx.emit({ type: 'user.created', accountId: input.accountId, inboxId: null, data: { userId: user.id } });
  return user;
}
