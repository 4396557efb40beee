// Who is calling: an API token or a session token resolves to a user and account. Reads, except
// a token's last-used time (at most hourly); sessions are written by the login/logout use cases below.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { Ctx, UserActor } from './context.ts';
import { newSecret, sha256 } from './ids.ts';
import { DomainError } from './errors.ts';
import { verifyPassword } from './passwords.ts';

export const SESSION_DAYS = 14;

async function actorFor(db: Kysely<Database>, userId: string, via: UserActor['via']): Promise<UserActor | null> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).where('deactivated_at', 'is', null).executeTakeFirst();
  if (!user) return null;
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', user.account_id).executeTakeFirstOrThrow();
  return { kind: 'user', user, account, via };
}

/** How stale `last_used_at` may get before a request refreshes it: one write an hour, not one a request. */
const TOKEN_TOUCH_MS = 3600_000;

export async function actorFromApiToken(db: Kysely<Database>, token: string, now = new Date()): Promise<UserActor | null> {
  const row = await db.selectFrom('api_tokens').select(['id', 'user_id', 'revoked_at', 'last_used_at']).where('token_hash', '=', sha256(token)).executeTakeFirst();
  if (!row || row.revoked_at) return null;
  const actor = await actorFor(db, row.user_id, 'token');
  if (actor && (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) > TOKEN_TOUCH_MS)) {
    // Bookkeeping for the token list ("last used"), not a domain change: no audit or event.
    await db.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return actor;
}

export async function actorFromSession(
  db: Kysely<Database>,
  token: string,
  now: Date,
): Promise<{ actor: UserActor; session: Row<'sessions'> } | null> {
  const session = await db.selectFrom('sessions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
  if (!session || session.expires_at <= now.toISOString()) return null;
  const actor = await actorFor(db, session.user_id, 'session');
  return actor ? { actor, session } : null;
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
