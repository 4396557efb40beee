// "Customize from address" > "Verify address" (seed): a custom From address is used only after a
// one-time link mailed to it is confirmed. The token is random, stored only as its SHA-256, expires
// after 24 hours, works once, and only for the address it was sent to (changing the address
// resets verification in core/update-channel.ts, so an old link cannot verify a new address).
import type { Ctx, SystemActor, UserActor } from './context.ts';
import { DomainError, forbidden, invalid, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import { updateChannel, type EmailPatchRefiner } from './update-channel.ts';
import { issueVerificationLink, markLinkUsed, usableLink, type VerificationRequested } from './verification-links.ts';

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

  const requested = await issueVerificationLink(ctx, { accountId: account.id, channelId: channel.id, address, purpose: 'from_address' });
  await ctx.audit({ accountId: account.id, action: 'channel.from_address_verification_requested', subjectType: 'channel', subjectId: channel.id, changes: { address } });
  return requested;
}

/** The confirm button on the link's page (a POST, so a mail scanner that opens links proves nothing): marks the address verified. */
export async function confirmFromAddress(ctx: Ctx<SystemActor>, input: { token: string }): Promise<{ address: string; channelId: string }> {
  const row = await usableLink(ctx, input.token, 'from_address');
  const channel = await ctx.db.selectFrom('channels').select(['id', 'account_id', 'inbox_id']).where('id', '=', row.channel_id).executeTakeFirstOrThrow();
  const email = await ctx.db.selectFrom('email_channel_settings').select(['custom_from_address']).where('channel_id', '=', channel.id).executeTakeFirstOrThrow();
  if (email.custom_from_address !== row.address) throw new DomainError('conflict', 'The custom From address has changed since this link was sent; verify the new address');
  await markLinkUsed(ctx, row);
  await ctx.db.updateTable('email_channel_settings').set({ custom_from_verified_at: ctx.now.toISOString() }).where('channel_id', '=', channel.id).execute();
  await ctx.audit({ accountId: channel.account_id, action: 'channel.from_address_verified', subjectType: 'channel', subjectId: channel.id, changes: { address: row.address } });
  await ctx.emit({ type: 'channel.updated', accountId: channel.account_id, inboxId: channel.inbox_id, data: { channelId: channel.id } });
  return { address: row.address, channelId: channel.id };
}
