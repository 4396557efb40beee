// API tokens: shown once, stored as a SHA-256 hash (they are long random secrets, so a fast
// hash is enough), revocable. The prefix makes a leaked token easy to recognise in logs.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { newSecret, sha256 } from './ids.ts';
import { DomainError, notFound } from './errors.ts';

export const TOKEN_PREFIX = 'prl_';

export async function issueApiToken(ctx: Ctx, input: { user: Row<'users'>; name: string }): Promise<{ token: string; row: Row<'api_tokens'> }> {
  const token = TOKEN_PREFIX + newSecret(32);
  const row: Row<'api_tokens'> = {
    id: ctx.newId(),
    account_id: input.user.account_id,
    user_id: input.user.id,
    name: input.name,
    token_hash: sha256(token),
    created_at: ctx.now.toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await ctx.db.insertInto('api_tokens').values(row).execute();
  return { token, row };
}

export async function revokeApiToken(ctx: Ctx, input: { tokenId: string; userId: string; isAdmin: boolean; accountId: string }): Promise<void> {
  const row = await ctx.db.selectFrom('api_tokens').selectAll().where('id', '=', input.tokenId).where('account_id', '=', input.accountId).executeTakeFirst();
  if (!row) throw notFound('Token');
  if (row.user_id !== input.userId && !input.isAdmin) throw new DomainError('forbidden', 'Only admins can revoke other users’ tokens');
  if (row.revoked_at) return; // already revoked: keep the first revocation time
  await ctx.db.updateTable('api_tokens').set({ revoked_at: ctx.now.toISOString() }).where('id', '=', row.id).execute();
  await ctx.audit({ accountId: input.accountId, action: 'api_token.revoked', subjectType: 'api_token', subjectId: row.id, changes: { revokedAt: { from: null, to: ctx.now.toISOString() } } });
}

/** A user makes a token for themselves (API, web app settings or CLI): audited, shown once. */
export async function createApiToken(ctx: Ctx<UserActor>, input: { name: string }): Promise<{ token: string; row: Row<'api_tokens'> }> {
  const issued = await issueApiToken(ctx, { user: ctx.actor.user, name: input.name });
  await ctx.audit({ accountId: ctx.actor.account.id, action: 'api_token.created', subjectType: 'api_token', subjectId: issued.row.id, changes: { name: input.name, userId: ctx.actor.user.id } });
  return issued;
}
