// Who is calling: an API token or a session token resolves to a user and account. Reads, except
// a token's last-used time (at most hourly); sessions are written by the login/logout use cases below.
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { Ctx, UserActor } from './context.ts';
import { newSecret, sha256 } from './ids.ts';
import { DomainError } from './errors.ts';
import { verifyPassword } from './passwords.ts';

export const SESSION_DAYS = 14;

/** Every column of a table, checked both ways against the schema, so a new column cannot be missed. */
function columnsOf<T extends keyof Database>() {
  return <const C extends readonly (keyof Row<T> & string)[]>(cols: C & (Exclude<keyof Row<T>, C[number]> extends never ? unknown : never)) => cols;
}
const ACCOUNT_COLUMNS = columnsOf<'accounts'>()(['id', 'name', 'subdomain', 'plan', 'company_name', 'conversation_counter', 'ticket_counter', 'event_seq', 'created_at', 'access_version']);
const USER_COLUMNS = columnsOf<'users'>()([
  'id', 'account_id', 'email', 'first_name', 'last_name', 'password_hash', 'role', 'seat', 'availability', 'notify_in_app', 'notify_email', 'created_at', 'deactivated_at',
]);
const SESSION_COLUMNS = columnsOf<'sessions'>()(['id', 'user_id', 'token_hash', 'csrf_token', 'created_at', 'expires_at']);

/** `table.col as prefix_col` for each column: the joined auth rows carry three tables with clashing names. */
function aliased(table: string, prefix: string, cols: readonly string[]) {
  return cols.map((c) => sql.ref(`${table}.${c}`).as(`${prefix}${c}`));
}
function unprefixed<R>(row: Record<string, unknown>, prefix: string, cols: readonly string[]): R {
  const out: Record<string, unknown> = {};
  for (const c of cols) out[c] = row[prefix + c];
  return out as R;
}
/**
 * Each request authenticates with ONE joined query (secret hash -> token or session, user,
 * account), compiled once per database handle: building and compiling the Kysely query cost
 * more than running it, and on PostgreSQL each query is a round trip.
 */
const compiled = new WeakMap<Kysely<Database>, { token: CompiledQuery; session: CompiledQuery }>();

function authQueries(db: Kysely<Database>): { token: CompiledQuery; session: CompiledQuery } {
  let queries = compiled.get(db);
  if (!queries) {
    const token = db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .select(aliased('users', 'u__', USER_COLUMNS))
      .select([sql.ref('api_tokens.id').as('t__id'), sql.ref('api_tokens.revoked_at').as('t__revoked_at'), sql.ref('api_tokens.last_used_at').as('t__last_used_at')])
      .select(aliased('accounts', 'a__', ACCOUNT_COLUMNS))
      .where('api_tokens.token_hash', '=', '')
      .where('users.deactivated_at', 'is', null)
      .compile();
    const session = db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .innerJoin('accounts', 'accounts.id', 'users.account_id')
      .select(aliased('users', 'u__', USER_COLUMNS))
      .select(aliased('sessions', 's__', SESSION_COLUMNS))
      .select(aliased('accounts', 'a__', ACCOUNT_COLUMNS))
      .where('sessions.token_hash', '=', '')
      .where('users.deactivated_at', 'is', null)
      .compile();
    queries = { token, session };
    compiled.set(db, queries);
  }
  return queries;
}

async function authRow(db: Kysely<Database>, query: CompiledQuery, secret: string): Promise<Record<string, unknown> | undefined> {
  const result = await db.executeQuery<Record<string, unknown>>({ ...query, parameters: [sha256(secret)] });
  return result.rows[0];
}

function actorOf(row: Record<string, unknown>, via: UserActor['via']): UserActor {
  return { kind: 'user', user: unprefixed<Row<'users'>>(row, 'u__', USER_COLUMNS), account: unprefixed<Row<'accounts'>>(row, 'a__', ACCOUNT_COLUMNS), via };
}

/** How stale `last_used_at` may get before a request refreshes it: one write an hour, not one a request. */
const TOKEN_TOUCH_MS = 3600_000;

export async function actorFromApiToken(db: Kysely<Database>, token: string, now = new Date()): Promise<UserActor | null> {
  const row = await authRow(db, authQueries(db).token, token);
  if (!row || row.t__revoked_at) return null;
  const lastUsed = row.t__last_used_at as string | null;
  if (lastUsed === null || now.getTime() - Date.parse(lastUsed) > TOKEN_TOUCH_MS) {
    // Bookkeeping for the token list ("last used"), not a domain change: no audit or event.
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.t__id as string).execute();
  }
  return actorOf(row, 'token');
}

export async function actorFromSession(
  db: Kysely<Database>,
  token: string,
  now: Date,
): Promise<{ actor: UserActor; session: Row<'sessions'> } | null> {
  const row = await authRow(db, authQueries(db).session, token);
  if (!row) return null;
  const session = unprefixed<Row<'sessions'>>(row, 's__', SESSION_COLUMNS);
  if (session.expires_at <= now.toISOString()) return null;
  return { actor: actorOf(row, 'session'), session };
}

async function actorFor(db: Kysely<Database>, userId: string, via: UserActor['via']): Promise<UserActor | null> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).where('deactivated_at', 'is', null).executeTakeFirst();
  if (!user) return null;
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', user.account_id).executeTakeFirstOrThrow();
  return { kind: 'user', user, account, via };
}

export async function actorForUserEmail(db: Kysely<Database>, email: string): Promise<UserActor | null> {
  const user = await db.selectFrom('users').select('id').where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return user ? actorFor(db, user.id, 'cli') : null;
}

/** Checks the password and opens a session; the same message for unknown email and bad password. */
export async function logIn(ctx: Ctx, input: { email: string; password: string }): Promise<{ token: string; csrfToken: string; user: Row<'users'> }> {
  const user = await ctx.db.selectFrom('users').selectAll().where('email', '=', input.email.trim().toLowerCase()).where('deactivated_at', 'is', null).executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? null, input.password);
  if (!user || !ok) throw new DomainError('invalid_credentials', 'Email or password is incorrect');
  const token = newSecret(32);
  const csrfToken = newSecret(24);
  await ctx.db
    .insertInto('sessions')
    .values({
      id: ctx.newId(),
      user_id: user.id,
      token_hash: sha256(token),
      csrf_token: csrfToken,
      created_at: ctx.now.toISOString(),
      expires_at: new Date(ctx.now.getTime() + SESSION_DAYS * 86400_000).toISOString(),
    })
    .execute();
  return { token, csrfToken, user };
}

export async function logOut(ctx: Ctx, sessionId: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}
