// "Customize from address" > "Verify address" (seed): a custom From address is used only after a
// one-time link mailed to it is opened. The token is random, stored only as its SHA-256, expires
// after 24 hours, works once, and only for the address it was sent to (changing the address
// resets verification in core/update-channel.ts, so an old link cannot verify a new address).
import type { Ctx, SystemActor, UserActor } from './context.ts';
import { DomainError, forbidden, invalid, notFound } from './errors.ts';
import { newSecret, sha256 } from './ids.ts';
import { canManageSettings } from './policies.ts';
import { updateChannel, type EmailPatchRefiner } from './update-channel.ts';

export const VERIFICATION_EMAIL_JOB = 'send_verification_email';
export const VERIFICATION_TTL_MS = 24 * 3600_000;

export interface VerificationRequested {
  address: string;
  expiresAt: string;
}

export async function requestFromAddressVerification(
  ctx: Ctx<UserActor>,
  input: { channelId: string; address?: string },
  refine: EmailPatchRefiner,
): Promise<VerificationRequested> {
  const { user, account } = ctx.actor;
  if (!canManageSettings(user.role)) throw forbidden('Only admins can verify From addresses');
  // Typing an address and clicking Verify saves it as the (still unverified) custom address.
  if (input.address !== undefined) await updateChannel(ctx, { channelId: input.channelId, patch: { email: { customFromAddress: input.address } } }, refine);
  const channel = await ctx.db.selectFrom('channels').select(['id', 'inbox_id']).where('id', '=', input.channelId).where('account_id', '=', account.id).executeTakeFirst();
  if (!channel) throw notFound('Channel');
  const email = await ctx.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirst();
  if (!email) throw invalid('email', 'This channel has no email settings');
  const address = email.custom_from_address;
  if (!address) throw invalid('email.customFromAddress', 'Enter the address to send from first');
  if (email.custom_from_verified_at) throw new DomainError('conflict', `${address} is already verified`, 'email.customFromAddress');

  // One pending link per channel: a new request replaces the old ones.
  await ctx.db.deleteFrom('address_verifications').where('channel_id', '=', channel.id).where('used_at', 'is', null).execute();
  const token = newSecret(32);
  const expiresAt = new Date(ctx.now.getTime() + VERIFICATION_TTL_MS).toISOString();
  const id = ctx.newId();
  await ctx.db
    .insertInto('address_verifications')
    .values({ id, channel_id: channel.id, address, token_hash: sha256(token), expires_at: expiresAt, used_at: null, created_at: ctx.now.toISOString() })
    .execute();
  // The job carries the token until the mail is sent; the handler then erases it from the payload.
  await ctx.enqueue({ type: VERIFICATION_EMAIL_JOB, accountId: account.id, payload: { verificationId: id, token } });
  await ctx.audit({ accountId: account.id, action: 'channel.from_address_verification_requested', subjectType: 'channel', subjectId: channel.id, changes: { address } });
  return { address, expiresAt };
}

/** The public link: marks the address verified when the token is valid, unused and unexpired. */
export async function confirmFromAddress(ctx: Ctx<SystemActor>, input: { token: string }): Promise<{ address: string; channelId: string }> {
  const row = await ctx.db.selectFrom('address_verifications').selectAll().where('token_hash', '=', sha256(input.token)).executeTakeFirst();
  if (!row) throw notFound('Verification link');
  if (row.used_at) throw new DomainError('conflict', 'This verification link has already been used');
  if (row.expires_at <= ctx.now.toISOString()) throw new DomainError('conflict', 'This verification link has expired; click Verify address again to get a new one');
  const channel = await ctx.db.selectFrom('channels').select(['id', 'account_id', 'inbox_id']).where('id', '=', row.channel_id).executeTakeFirstOrThrow();
  const email = await ctx.db.selectFrom('email_channel_settings').select(['custom_from_address']).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
  if (email.custom_from_address !== row.address) throw new DomainError('conflict', 'The custom From address has changed since this link was sent; verify the new address');
  const used = await ctx.db.updateTable('address_verifications').set({ used_at: ctx.now.toISOString() }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) throw new DomainError('conflict', 'This verification link has already been used');
  await ctx.db.updateTable('email_channel_settings').set({ custom_from_verified_at: ctx.now.toISOString() }).where('channel_id', '=', channel.id).execute();
  await ctx.audit({ accountId: channel.account_id, action: 'channel.from_address_verified', subjectType: 'channel', subjectId: channel.id, changes: { address: row.address } });
  await ctx.emit({ type: 'channel.updated', accountId: channel.account_id, inboxId: channel.inbox_id, data: { channelId: channel.id } });
  return { address: row.address, channelId: channel.id };
}
