// Loads the facts the access policy needs and answers "what may this user do in which inbox".
// One place, used by every endpoint, socket subscription and search that touches inboxes.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { canAct, canView, inboxRight, type InboxRight, type UserFacts } from './policies.ts';

export async function userFacts(db: Kysely<Database>, user: Row<'users'>): Promise<UserFacts> {
  const teams = await db.selectFrom('team_members').select('team_id').where('user_id', '=', user.id).execute();
  return { id: user.id, role: user.role, teamIds: new Set(teams.map((t) => t.team_id)) };
}

/** Every inbox of the account with this user's right in it (inboxes with 'none' left out). */
export async function inboxRights(db: Kysely<Database>, user: Row<'users'>): Promise<Map<string, InboxRight>> {
  const facts = await userFacts(db, user);
  const inboxes = await db.selectFrom('inboxes').select(['id', 'access']).where('account_id', '=', user.account_id).execute();
  const specific = inboxes.filter((i) => i.access === 'specific').map((i) => i.id);
  const grants = specific.length
    ? await db.selectFrom('inbox_access_grants').select(['inbox_id', 'user_id', 'team_id']).where('inbox_id', 'in', specific).execute()
    : [];
  const rights = new Map<string, InboxRight>();
  for (const inbox of inboxes) {
    const mine = grants.filter((g) => g.inbox_id === inbox.id);
    const right = inboxRight(facts, {
      access: inbox.access,
      grantedUserIds: new Set(mine.flatMap((g) => (g.user_id ? [g.user_id] : []))),
      grantedTeamIds: new Set(mine.flatMap((g) => (g.team_id ? [g.team_id] : []))),
    });
    if (canView(right)) rights.set(inbox.id, right);
  }
  return rights;
}

export async function rightInInbox(db: Kysely<Database>, user: Row<'users'>, inboxId: string): Promise<InboxRight> {
  return (await inboxRights(db, user)).get(inboxId) ?? 'none';
}

/** Throws not_found (never reveal existence) or view_only. */
export function requireRight(right: InboxRight, need: 'view' | 'act', what = 'Conversation'): void {
  if (!canView(right)) throw notFound(what);
  if (need === 'act' && !canAct(right)) {
    throw new DomainError('view_only', 'You can view this inbox but not act in it: ask an admin to add you in the inbox’s Access settings');
  }
}
