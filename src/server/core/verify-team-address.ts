// Proof of ownership for a connected team address. Connecting a mailbox over IMAP proves access
// to that mailbox, not that the address is the account's: anyone can name any address (QA: an
// account squatted support@acme-corp.com and received Acme's SMTP mail). So SMTP mail to the team
// address is routed here (a channel_addresses row, which the RCPT lookup reads) only once a link
// mailed to the address is confirmed, or the account already proved the address as its custom
// From address. The address is routed once: the first account to prove it wins.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Ctx, SystemActor, UserActor } from './context.ts';
import { DomainError, forbidden, invalid, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import { issueVerificationLink, markLinkUsed, usableLink, type VerificationRequested } from './verification-links.ts';

/** The refusal when another account proved the address first; it names no account. */
export const takenElsewhere = (address: string) =>
  new DomainError('address_taken', `${address} is verified by another Parley account, which receives its mail; it cannot be connected here`, 'teamAddress');

/** Whether another account routes the address: it proved ownership first. */
export async function routedByOtherAccount(ctx: { db: Kysely<Database> | Transaction<Database> }, accountId: string, address: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('channel_addresses')
    .innerJoin('channels', 'channels.id', 'channel_addresses.channel_id')
    .select('channels.account_id')
    .where('channel_addresses.address', '=', address)
    .executeTakeFirst();
  return row !== undefined && row.account_id !== accountId;
}

/** Routes SMTP mail for the channel's team address to it, now that ownership is proven; returns when it was verified. */
export async function claimTeamAddress(ctx: Ctx, channel: { id: string; account_id: string }, address: string): Promise<string> {
  // The primary key on address decides a race between two accounts: the first insert wins.
  await ctx.db
    .insertInto('channel_addresses')
    .values({ address, channel_id: channel.id, kind: 'team' })
    .onConflict((oc) => oc.column('address').doNothing())
    .execute();
  const routed = await ctx.db.selectFrom('channel_addresses').select('channel_id').where('address', '=', address).executeTakeFirstOrThrow();
  if (routed.channel_id !== channel.id) throw takenElsewhere(address);
  const verifiedAt = ctx.now.toISOString();
  await ctx.db.updateTable('email_channel_settings').set({ team_address_verified_at: verifiedAt }).where('channel_id', '=', channel.id).execute();
  return verifiedAt;
}

/** Whether this account already opened a verification link sent to the address (as a custom From address). */
export async function provenAsFromAddress(ctx: { db: Kysely<Database> | Transaction<Database> }, accountId: string, address: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('email_channel_settings')
    .innerJoin('channels', 'channels.id', 'email_channel_settings.channel_id')
    .select('channels.id')
    .where('channels.account_id', '=', accountId)
    .where('email_channel_settings.custom_from_address', '=', address)
    .where('email_channel_settings.custom_from_verified_at', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

export async function requestTeamAddressVerification(ctx: Ctx<UserActor>, input: { channelId: string }): Promise<VerificationRequested> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can verify team addresses');
  const channel = await ctx.db.selectFrom('channels').select(['id', 'inbox_id']).where('id', '=', input.channelId).where('account_id', '=', account.id).executeTakeFirst();
  if (!channel) throw notFound('Channel');
  const email = await ctx.db.selectFrom('email_channel_settings').select(['team_address', 'team_address_verified_at']).where('channel_id', '=', channel.id).executeTakeFirst();
  const address = email?.team_address;
  if (!address) throw invalid('teamAddress', 'This channel has no connected team address');
  if (email.team_address_verified_at) throw new DomainError('conflict', `${address} is already verified`, 'teamAddress');
  if (await routedByOtherAccount(ctx, account.id, address)) throw takenElsewhere(address);
  const requested = await issueVerificationLink(ctx, { accountId: account.id, channelId: channel.id, address, purpose: 'team_address' });
  await ctx.audit({ accountId: account.id, action: 'channel.team_address_verification_requested', subjectType: 'channel', subjectId: channel.id, changes: { address } });
  return requested;
}

/** The confirm button on the link's page (a POST, so a mail scanner that opens links proves nothing). */
export async function confirmTeamAddress(ctx: Ctx<SystemActor>, input: { token: string }): Promise<{ address: string; channelId: string }> {
  const row = await usableLink(ctx, input.token, 'team_address');
  const channel = await ctx.db.selectFrom('channels').select(['id', 'account_id', 'inbox_id']).where('id', '=', row.channel_id).executeTakeFirstOrThrow();
  const email = await ctx.db.selectFrom('email_channel_settings').select(['team_address']).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
  if (email.team_address !== row.address) throw new DomainError('conflict', 'The team address has changed since this link was sent; verify the new address');
  await markLinkUsed(ctx, row);
  await claimTeamAddress(ctx, channel, row.address);
  await ctx.audit({ accountId: channel.account_id, action: 'channel.team_address_verified', subjectType: 'channel', subjectId: channel.id, changes: { address: row.address } });
  await ctx.emit({ type: 'channel.updated', accountId: channel.account_id, inboxId: channel.inbox_id, data: { channelId: channel.id } });
  return { address: row.address, channelId: channel.id };
}
