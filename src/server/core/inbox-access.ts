// Loads the facts the access policy (policies.ts) needs and answers "what may this user do in
// which inbox". The one place used by every endpoint, socket subscription and search that
// touches inboxes or conversations: lists filter by `inboxScope`, single reads and actions go
// through `conversationFor` / `inboxFor` (404 when the user may not see it, 403 view_only when
// they may only look).
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { canAct, canView, isAdmin, rightFrom, type InboxRight, type UserFacts } from './policies.ts';

type Db = Kysely<Database>;
type UserRef = Pick<Row<'users'>, 'id' | 'account_id' | 'role'>;

export async function userFacts(db: Db, user: UserRef): Promise<UserFacts> {
  const teams = await db.selectFrom('team_members').select('team_id').where('user_id', '=', user.id).execute();
  return { id: user.id, role: user.role, teamIds: new Set(teams.map((t) => t.team_id)) };
}

/**
 * Every inbox of the user's account with their right in it (inboxes with 'none' left out), and
 * how many inboxes the account has. Two small indexed queries (the account's inboxes, and the
 * grants naming the user or one of their teams) instead of a join: measured in
 * bench/access-list.ts, the LEFT JOIN ... GROUP BY form was ~10x slower on SQLite at 500 inboxes.
 */
async function loadRights(db: Db, user: UserRef, only?: string): Promise<{ rights: Map<string, InboxRight>; total: number }> {
  let inboxes = db.selectFrom('inboxes').select(['id', 'access']).where('account_id', '=', user.account_id);
  let grants = db
    .selectFrom('inbox_access_grants')
    .select('inbox_id')
    .where((eb) => eb.or([eb('user_id', '=', user.id), eb('team_id', 'in', eb.selectFrom('team_members').select('team_id').where('user_id', '=', user.id))]));
  if (only !== undefined) {
    inboxes = inboxes.where('id', '=', only);
    grants = grants.where('inbox_id', '=', only);
  }
  const [rows, matched] = await Promise.all([inboxes.execute(), grants.execute()]);
  const granted = new Set(matched.map((g) => g.inbox_id));
  const rights = new Map<string, InboxRight>();
  for (const row of rows) {
    const right = rightFrom(row.access, granted.has(row.id), user.role);
    if (canView(right)) rights.set(row.id, right);
  }
  return { rights, total: rows.length };
}

export async function inboxRights(db: Db, user: UserRef): Promise<Map<string, InboxRight>> {
  return (await loadRights(db, user)).rights;
}

export async function rightInInbox(db: Db, user: UserRef, inboxId: string): Promise<InboxRight> {
  return (await loadRights(db, user, inboxId)).rights.get(inboxId) ?? 'none';
}

/** Throws not_found (never reveal existence) or view_only. */
export function requireRight(right: InboxRight, need: 'view' | 'act', what = 'Conversation'): void {
  if (!canView(right)) throw notFound(what);
  if (need === 'act' && !canAct(right)) {
    throw new DomainError('view_only', 'You can view this inbox but not act in it: ask an admin to add you in the inbox’s Access settings');
  }
}

/**
 * Which inboxes a list may show: `all` when the user sees every inbox of the account (then the
 * list needs no inbox filter at all), else the visible ids. Use for lists, counts and search.
 */
export interface InboxScope {
  all: boolean;
  inboxIds: string[];
  rights: Map<string, InboxRight>;
}

export async function inboxScope(db: Db, user: UserRef): Promise<InboxScope> {
  const { rights, total } = await loadRights(db, user);
  return { all: rights.size === total, inboxIds: [...rights.keys()], rights };
}

/** The conversation, if the user may see it (else 404) and, with need 'act', act on it (else 403 view_only). */
export async function conversationFor(db: Db, user: UserRef, conversationId: string, need: 'view' | 'act'): Promise<{ conversation: Row<'conversations'>; right: InboxRight }> {
  const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).where('account_id', '=', user.account_id).executeTakeFirst();
  if (!conversation) throw notFound('Conversation');
  const right = await rightInInbox(db, user, conversation.inbox_id);
  requireRight(right, need);
  return { conversation, right };
}

/** The inbox, if the user may see it (else 404) and, with need 'act', act in it (else 403 view_only). */
export async function inboxFor(db: Db, user: UserRef, inboxId: string, need: 'view' | 'act'): Promise<{ inbox: Row<'inboxes'>; right: InboxRight }> {
  const inbox = await db.selectFrom('inboxes').selectAll().where('id', '=', inboxId).where('account_id', '=', user.account_id).executeTakeFirst();
  if (!inbox) throw notFound('Inbox');
  const right = await rightInInbox(db, user, inbox.id);
  requireRight(right, need, 'Inbox');
  return { inbox, right };
}

/** A user's right in an inbox looked up by id (for checking assignment candidates). */
export async function rightOfUserInInbox(db: Db, userId: string, inboxId: string): Promise<InboxRight> {
  const user = await db.selectFrom('users').select(['id', 'account_id', 'role']).where('id', '=', userId).executeTakeFirst();
  if (!user) return 'none';
  return rightInInbox(db, user, inboxId);
}

/**
 * Settings changes in an inbox (its access, name, channels, automation) are for admins. A
 * non-admin who cannot see the inbox gets 404 (`what` not found), as for anything else in an
 * inbox they cannot see; one who can see it gets 403 forbidden.
 */
export async function requireSettingsRight(db: Db, user: UserRef, inboxId: string, action: string, what = 'Inbox'): Promise<void> {
  if (isAdmin(user.role)) return;
  requireRight(await rightInInbox(db, user, inboxId), 'view', what);
  throw new DomainError('forbidden', `Only admins can ${action}`);
}

/** The inbox for a settings change, by the rule of requireSettingsRight. */
export async function inboxForSettings(db: Db, user: UserRef, inboxId: string, action: string): Promise<Row<'inboxes'>> {
  const inbox = await db.selectFrom('inboxes').selectAll().where('id', '=', inboxId).where('account_id', '=', user.account_id).executeTakeFirst();
  if (!inbox) throw notFound('Inbox');
  await requireSettingsRight(db, user, inbox.id, action);
  return inbox;
}
