// Makes an inbox with everything the seed says comes with one: its fallback email channel
// (an inbound address and a forwarding address under the account's mail domain), default
// automation settings (off) and ticket settings (off, default pipeline). Used by account
// creation (the default inbox) and by the "Create new inbox" flow. insertEmailChannel is shared
// with connecting a team mailbox, which gets its own inbound and forwarding addresses too.
import type { Ctx } from './context.ts';
import type { InboxAccess, Row } from '../db/schema.ts';
import { accountMailDomain, forwardingLocalPart, slugLocalPart, type MailDomains } from './mail-addresses.ts';
import { unusedFallbackCompanyName } from './email-settings.ts';

export interface ProvisionedInbox {
  inbox: Row<'inboxes'>;
  channel: Row<'channels'>;
  email: Row<'email_channel_settings'>;
}

export async function provisionInbox(
  ctx: Ctx,
  input: { account: Row<'accounts'>; name: string; access: InboxAccess; isDefault: boolean; domains: MailDomains },
): Promise<ProvisionedInbox> {
  const now = ctx.now.toISOString();
  const inbox: Row<'inboxes'> = {
    id: ctx.newId(),
    account_id: input.account.id,
    name: input.name,
    is_default: input.isDefault ? 1 : 0,
    access: input.access,
    created_at: now,
    automation_revision: 0,
  };
  await ctx.db.insertInto('inboxes').values(inbox).execute();

  const { channel, email } = await insertEmailChannel(ctx, {
    account: input.account,
    inboxId: inbox.id,
    name: 'Fallback email',
    localHint: input.isDefault ? 'inbox' : input.name,
    isFallback: true,
    companyName: await unusedFallbackCompanyName(ctx, input.account, input.name),
    domains: input.domains,
  });

  const pipeline = await ctx.db
    .selectFrom('pipelines')
    .select('id')
    .where('account_id', '=', input.account.id)
    .where('is_default', '=', 1)
    .executeTakeFirst();
  const firstStage = pipeline
    ? await ctx.db.selectFrom('pipeline_stages').select('id').where('pipeline_id', '=', pipeline.id).orderBy('position').executeTakeFirst()
    : undefined;
  await ctx.db.insertInto('automation_settings').values({ inbox_id: inbox.id, auto_assign: 0, assign_to: 'specific', available_only: 1 }).execute();
  await ctx.db
    .insertInto('ticket_settings')
    .values({
      inbox_id: inbox.id,
      treat_as_tickets: 0,
      pipeline_id: pipeline?.id ?? null,
      stage_id: firstStage?.id ?? null,
      owner_mode: 'assignee',
      owner_user_id: null,
    })
    .execute();
  return { inbox, channel, email };
}

export interface NewEmailChannel {
  account: Row<'accounts'>;
  inboxId: string;
  name: string;
  /** Seeds the inbound address's local part ("Sales EMEA" -> sales-emea@…). */
  localHint: string;
  isFallback: boolean;
  /** The From name's company (a fallback email's must be unique: email-settings.ts); the account's by default. */
  companyName?: string;
  domains: MailDomains;
  /** A connected team mailbox: its own address (routed over SMTP only once verified) and sealed server settings. */
  team?: { address: string; imapConfig: string; smtpConfig: string | null; imapUidvalidity: string; imapLastUid: number };
}

/**
 * One email channel with its inbound and forwarding addresses under the account's mail domain
 * in the RCPT lookup table (a team address joins them once verified: core/verify-team-address.ts).
 */
export async function insertEmailChannel(ctx: Ctx, input: NewEmailChannel): Promise<{ channel: Row<'channels'>; email: Row<'email_channel_settings'> }> {
  const now = ctx.now.toISOString();
  const domain = accountMailDomain(input.account.subdomain, input.account.plan, input.domains);
  const inboundAddress = await freeAddress(ctx, slugLocalPart(input.localHint), domain);
  const forwardingAddress = `${forwardingLocalPart()}@${domain}`;

  const channel: Row<'channels'> = {
    id: ctx.newId(),
    account_id: input.account.id,
    inbox_id: input.inboxId,
    type: 'email',
    name: input.name,
    enabled: 1,
    status: 'ok',
    status_detail: null,
    created_at: now,
  };
  await ctx.db.insertInto('channels').values(channel).execute();
  const email: Row<'email_channel_settings'> = {
    channel_id: channel.id,
    is_fallback: input.isFallback ? 1 : 0,
    inbound_address: inboundAddress,
    forwarding_address: forwardingAddress,
    team_address: input.team?.address ?? null,
    team_address_verified_at: null,
    use_for_sending: input.team ? (input.team.smtpConfig ? 1 : 0) : 1,
    from_name_mode: 'agent_and_company',
    company_name: input.companyName ?? input.account.company_name,
    from_address_mode: 'default',
    custom_from_address: null,
    custom_from_verified_at: null,
    signature_enabled: 0,
    signature_mode: 'simple',
    signature_html: '',
    original_sender_of_forwards: 1,
    imap_config: input.team?.imapConfig ?? null,
    smtp_config: input.team?.smtpConfig ?? null,
    imap_uidvalidity: input.team?.imapUidvalidity ?? null,
    imap_last_uid: input.team?.imapLastUid ?? null,
    imap_connected_at: input.team?.imapConfig ? now : null,
    last_fetched_at: null,
    last_mail_at: null,
    imap_lease_holder: null,
    imap_lease_until: null,
  };
  await ctx.db.insertInto('email_channel_settings').values(email).execute();
  await ctx.db
    .insertInto('channel_addresses')
    .values([
      { address: inboundAddress, channel_id: channel.id, kind: 'inbound' },
      { address: forwardingAddress, channel_id: channel.id, kind: 'forwarding' },
    ])
    .execute();
  return { channel, email };
}

/** `sales@acme…`, or `sales-2@acme…` when taken (inboxes may share a name). */
async function freeAddress(ctx: Ctx, local: string, domain: string): Promise<string> {
  for (let n = 1; ; n++) {
    const address = `${n === 1 ? local : `${local}-${n}`}@${domain}`;
    const taken = await ctx.db.selectFrom('channel_addresses').select('address').where('address', '=', address).executeTakeFirst();
    if (!taken) return address;
  }
}
