// The one-time links that prove control of an address (a custom From address, a connected team
// address): a random token mailed to the address, stored only as its SHA-256, valid 24 hours,
// usable once. One pending link per channel and purpose: a new request replaces the old one.
// Opening a link only shows what it confirms; its page's button (a POST) confirms, because mail
// scanners open links on their own (http/verification-link.routes.ts).
import type { Ctx } from './context.ts';
import type { Row, VerificationPurpose } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { newSecret, sha256 } from './ids.ts';

export const VERIFICATION_EMAIL_JOB = 'send_verification_email';
export const VERIFICATION_TTL_MS = 24 * 3600_000;

export interface VerificationRequested {
  address: string;
  expiresAt: string;
}

/** Stores a new link for the address and queues the mail that carries it. */
export async function issueVerificationLink(ctx: Ctx, input: { accountId: string; channelId: string; address: string; purpose: VerificationPurpose }): Promise<VerificationRequested> {
  await ctx.db.deleteFrom('address_verifications').where('channel_id', '=', input.channelId).where('purpose', '=', input.purpose).where('used_at', 'is', null).execute();
  const token = newSecret(32);
  const expiresAt = new Date(ctx.now.getTime() + VERIFICATION_TTL_MS).toISOString();
  const id = ctx.newId();
  await ctx.db
    .insertInto('address_verifications')
    .values({ id, channel_id: input.channelId, address: input.address, purpose: input.purpose, token_hash: sha256(token), expires_at: expiresAt, used_at: null, created_at: ctx.now.toISOString() })
    .execute();
  // The job carries the token until the mail is sent; the handler then erases it from the payload.
  await ctx.enqueue({ type: VERIFICATION_EMAIL_JOB, accountId: input.accountId, payload: { verificationId: id, token } });
  return { address: input.address, expiresAt };
}

/** The link's row when the token is valid, unused and unexpired for this purpose; throws what is wrong otherwise. */
export async function usableLink(ctx: Ctx, token: string, purpose: VerificationPurpose): Promise<Row<'address_verifications'>> {
  const row = await ctx.db.selectFrom('address_verifications').selectAll().where('token_hash', '=', sha256(token)).where('purpose', '=', purpose).executeTakeFirst();
  if (!row) throw notFound('Verification link');
  if (row.used_at) throw new DomainError('conflict', 'This verification link has already been used');
  if (row.expires_at <= ctx.now.toISOString()) throw new DomainError('conflict', 'This verification link has expired; ask for a new one from the channel settings');
  return row;
}

/** What the link's confirm page shows: which address, asked for by which account. */
export async function describeLink(ctx: Ctx, token: string, purpose: VerificationPurpose): Promise<{ address: string; accountName: string }> {
  const row = await usableLink(ctx, token, purpose);
  const account = await ctx.db
    .selectFrom('channels')
    .innerJoin('accounts', 'accounts.id', 'channels.account_id')
    .select(['accounts.name', 'accounts.company_name'])
    .where('channels.id', '=', row.channel_id)
    .executeTakeFirstOrThrow();
  return { address: row.address, accountName: account.company_name || account.name };
}

/** Marks the link used; a concurrent use of the same link loses. */
export async function markLinkUsed(ctx: Ctx, row: Row<'address_verifications'>): Promise<void> {
  const used = await ctx.db.updateTable('address_verifications').set({ used_at: ctx.now.toISOString() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) throw new DomainError('conflict', 'This verification link has already been used');
}
