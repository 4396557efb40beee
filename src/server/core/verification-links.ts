// The one-time links that prove control of an address (a custom From address, a connected team
// address): a random token mailed to the address, stored only as its SHA-256, valid 24 hours,
// usable once. Only the newest link of a channel and purpose works: asking again supersedes the
// one before (kept a week, for the limits below and to say why it no longer works). Opening a
// link only shows what it confirms; its page's button (a POST) confirms, because mail scanners
// open links on their own (http/verification-link.routes.ts).
// The mails go to addresses an account only claims, so asking is limited: once a minute for the
// same address, and ACCOUNT_LINKS_PER_HOUR for the whole account.
import type { Ctx } from './context.ts';
import type { Kysely } from 'kysely';
import type { Database, Row, VerificationPurpose } from '../db/schema.ts';
import { DomainError, notFound } from './errors.ts';
import { newSecret, sha256 } from './ids.ts';

export const VERIFICATION_EMAIL_JOB = 'send_verification_email';
export const VERIFICATION_TTL_MS = 24 * 3600_000;
/** How long after a link the same address can be sent another (a double click, an impatient retry). */
export const RESEND_AFTER_MS = 60_000;
export const ACCOUNT_LINKS_PER_HOUR = 10;
/** Links older than this are deleted when the channel asks for a new one. */
const KEEP_LINKS_MS = 7 * 24 * 3600_000;
const HOUR_MS = 3600_000;

export interface VerificationRequested {
  address: string;
  expiresAt: string;
}

/** Stores a new link for the address and queues the mail that carries it. */
export async function issueVerificationLink(ctx: Ctx, input: { accountId: string; channelId: string; address: string; purpose: VerificationPurpose }): Promise<VerificationRequested> {
  await checkResendLimits(ctx, input);
  await ctx.db.deleteFrom('address_verifications').where('channel_id', '=', input.channelId).where('created_at', '<', new Date(ctx.now.getTime() - KEEP_LINKS_MS).toISOString()).execute();
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

/** Refuses (rate_limited) a link the limits do not allow yet, saying when one will be. */
async function checkResendLimits(ctx: Ctx, input: { accountId: string; channelId: string; address: string; purpose: VerificationPurpose }): Promise<void> {
  const now = ctx.now.getTime();
  const last = await ctx.db
    .selectFrom('address_verifications')
    .select('created_at')
    .where('channel_id', '=', input.channelId)
    .where('purpose', '=', input.purpose)
    .where('address', '=', input.address)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const resendAt = last ? Date.parse(last.created_at) + RESEND_AFTER_MS : 0;
  if (resendAt > now) {
    const seconds = Math.ceil((resendAt - now) / 1000);
    throw new DomainError('rate_limited', `A verification email went to ${input.address} less than a minute ago. Look for it there (and in its spam folder), or ask for another in ${seconds} seconds.`);
  }
  const lastHour = await ctx.db
    .selectFrom('address_verifications')
    .innerJoin('channels', 'channels.id', 'address_verifications.channel_id')
    .select('address_verifications.created_at')
    .where('channels.account_id', '=', input.accountId)
    .where('address_verifications.created_at', '>', new Date(now - HOUR_MS).toISOString())
    .orderBy('address_verifications.created_at', 'asc')
    .execute();
  if (lastHour.length >= ACCOUNT_LINKS_PER_HOUR) {
    const minutes = Math.max(1, Math.ceil((Date.parse(lastHour[lastHour.length - ACCOUNT_LINKS_PER_HOUR]!.created_at) + HOUR_MS - now) / 60_000));
    throw new DomainError('rate_limited', `This account sent ${ACCOUNT_LINKS_PER_HOUR} verification emails in the last hour, the most it may. Ask again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
  }
}

/** The link's row when the token is valid, unused, unexpired and the newest for its channel and purpose; throws what is wrong otherwise. */
export async function usableLink(ctx: Ctx, token: string, purpose: VerificationPurpose): Promise<Row<'address_verifications'>> {
  const row = await ctx.db.selectFrom('address_verifications').selectAll().where('token_hash', '=', sha256(token)).where('purpose', '=', purpose).executeTakeFirst();
  if (!row) throw notFound('Verification link');
  if (row.used_at) throw new DomainError('conflict', 'This verification link has already been used');
  if (row.expires_at <= ctx.now.toISOString()) throw new DomainError('conflict', 'This verification link has expired; ask for a new one from the channel settings');
  if (await isSuperseded(ctx.db, row)) throw new DomainError('conflict', 'A newer verification link was sent since this one; open the newest verification email');
  return row;
}

/** Whether the channel asked for a newer link of the same purpose since this one (only the newest works). */
export async function isSuperseded(db: Kysely<Database>, row: Pick<Row<'address_verifications'>, 'channel_id' | 'purpose' | 'created_at'>): Promise<boolean> {
  const newer = await db
    .selectFrom('address_verifications')
    .select('id')
    .where('channel_id', '=', row.channel_id)
    .where('purpose', '=', row.purpose)
    .where('created_at', '>', row.created_at)
    .limit(1)
    .executeTakeFirst();
  return newer !== undefined;
}

/**
 * The account a link is asked for, as its mail and its confirm page both name it: the account's
 * company name, else its name (never a channel's From name, which the mail once used while the
 * page named the account, so the two disagreed).
 */
export const askingAccountName = (account: { name: string; company_name: string }): string => account.company_name.trim() || account.name;

/** What the link's confirm page shows: which address, asked for by which account. */
export async function describeLink(ctx: Ctx, token: string, purpose: VerificationPurpose): Promise<{ address: string; accountName: string }> {
  const row = await usableLink(ctx, token, purpose);
  const account = await ctx.db
    .selectFrom('channels')
    .innerJoin('accounts', 'accounts.id', 'channels.account_id')
    .select(['accounts.name', 'accounts.company_name'])
    .where('channels.id', '=', row.channel_id)
    .executeTakeFirstOrThrow();
  return { address: row.address, accountName: askingAccountName(account) };
}

/** Marks the link used; a concurrent use of the same link loses. */
export async function markLinkUsed(ctx: Ctx, row: Row<'address_verifications'>): Promise<void> {
  const used = await ctx.db.updateTable('address_verifications').set({ used_at: ctx.now.toISOString() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) throw new DomainError('conflict', 'This verification link has already been used');
}
