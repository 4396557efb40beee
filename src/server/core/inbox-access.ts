// Loads the facts the access policy (policies.ts) needs and answers "what may this user do in
// which inbox". The one place used by every endpoint, socket subscription and search that
// touches inboxes or conversations: lists filter by `inboxScope`, single reads and actions go
// through `conversationFor` / `inboxFor` (404 when the user may not see it, 403 view_only when
// they may only look).
import type { Kysely } from 'kysely';
import type { Database, InboxAccess, Row } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { canAct, canView, isAdmin, rightFrom, type InboxRight } from './policies.ts';

type Db = Kysely<Database>;
type UserRef = Pick<Row<'users'>, 'id' | 'account_id' | 'role'>;

/**
 * The account's access table: its inboxes with their access mode, the grants, and who is in
 * which team. Loaded whole (three indexed queries) and cached per process, keyed by the
 * account's access_version, which triggers bump in the same transaction as any change to those
 * rows (migration 0007); so each request pays one point read of the version (none when it
 * passes the version it read with the actor's account), and a change made by any process
 * applies to the next request of every process. Rows read after the version are at least as
 * new as it, so a table is never tagged newer than what it holds.
 */
interface AccessTable {
  version: number;
  /** Each inbox's access mode. */
  inboxes: Map<string, InboxAccess>;
  /** Inbox ids granted to each user and to each team. */
  grantsOf: Map<string, string[]>;
  teamsOf: Map<string, string[]>;
  /** Each user's rights, computed on first use; key `userId:role` (a role change bumps nothing). */
  byUser: Map<string, InboxScope>;
}

// Bounds: accounts kept, and users' rights kept per account (oldest dropped first).
const MAX_ACCOUNTS = 200;
const MAX_USERS_PER_ACCOUNT = 1000;
const tables = new Map<string, AccessTable>();

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

async function loadTable(db: Db, accountId: string, version: number): Promise<AccessTable> {
  const [inboxes, grants, members] = await Promise.all([
    db.selectFrom('inboxes').select(['id', 'access']).where('account_id', '=', accountId).execute(),
    db
      .selectFrom('inbox_access_grants as g')
      .innerJoin('inboxes as i', 'i.id', 'g.inbox_id')
      .select(['g.inbox_id', 'g.user_id', 'g.team_id'])
      .where('i.account_id', '=', accountId)
      .execute(),
    db.selectFrom('team_members as m').innerJoin('teams as t', 't.id', 'm.team_id').select(['m.team_id', 'm.user_id']).where('t.account_id', '=', accountId).execute(),
  ]);
  const grantsOf = new Map<string, string[]>();
  for (const g of grants) push(grantsOf, g.user_id ?? `team:${g.team_id}`, g.inbox_id);
  const teamsOf = new Map<string, string[]>();
  for (const m of members) push(teamsOf, m.user_id, m.team_id);
  return { version, inboxes: new Map(inboxes.map((i) => [i.id, i.access])), grantsOf, teamsOf, byUser: new Map() };
}

async function accessTable(db: Db, accountId: string, knownVersion?: number): Promise<AccessTable> {
  const version = knownVersion ?? (await db.selectFrom('accounts').select('access_version').where('id', '=', accountId).executeTakeFirst())?.access_version ?? -1;
  const cached = tables.get(accountId);
  if (cached && cached.version === version) {
    tables.delete(accountId); // most recently used last
    tables.set(accountId, cached);
    return cached;
  }
  const table = await loadTable(db, accountId, version);
  // Inside a transaction the rows may include its own uncommitted changes: use, do not keep.
  if (db.isTransaction || (cached && cached.version > version)) return table;
  tables.delete(accountId);
  tables.set(accountId, table);
  if (tables.size > MAX_ACCOUNTS) tables.delete(tables.keys().next().value!);
  return table;
}

function scopeIn(table: AccessTable, user: UserRef): InboxScope {
  const key = `${user.id}:${user.role}`;
  const known = table.byUser.get(key);
  if (known) return known;
  const granted = new Set(table.grantsOf.get(user.id));
  for (const teamId of table.teamsOf.get(user.id) ?? []) for (const inboxId of table.grantsOf.get(`team:${teamId}`) ?? []) granted.add(inboxId);
  const rights = new Map<string, InboxRight>();
  for (const [inboxId, access] of table.inboxes) {
    const right = rightFrom(access, granted.has(inboxId), user.role);
    if (canView(right)) rights.set(inboxId, right);
  }
  const scope: InboxScope = { all: rights.size === table.inboxes.size, inboxIds: [...rights.keys()], rights };
  table.byUser.set(key, scope);
  if (table.byUser.size > MAX_USERS_PER_ACCOUNT) table.byUser.delete(table.byUser.keys().next().value!);
  return scope;
}

/**
 * Every inbox the user may see, with their right in it. Shared and cached: do not modify.
 * `knownVersion`: the account's access_version if the request already read it (the actor's
 * account row from authentication), which saves the point read.
 */
export async function inboxRights(db: Db, user: UserRef, knownVersion?: number): Promise<Map<string, InboxRight>> {
  return scopeIn(await accessTable(db, user.account_id, knownVersion), user).rights;
}

export async function rightInInbox(db: Db, user: UserRef, inboxId: string): Promise<InboxRight> {
  return (await inboxRights(db, user)).get(inboxId) ?? 'none';
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

/** Shared and cached: do not modify. `knownVersion` as for inboxRights. */
export async function inboxScope(db: Db, user: UserRef, knownVersion?: number): Promise<InboxScope> {
  return scopeIn(await accessTable(db, user.account_id, knownVersion), user);
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
