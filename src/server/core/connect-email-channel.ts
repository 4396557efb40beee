// Seed "Connect a channel" > team email: an admin connects the team's own mailbox (IMAP, and
// optionally its SMTP server for sending as itself) to an inbox. The transport tests the logins
// first (mail/connection-tests.ts); this use case checks who may do it and where, then saves the
// settings sealed with the installation's secret key. Mail sent to the team address over SMTP is
// routed here only once the account proves it owns the address (core/verify-team-address.ts).
import type { Kysely, Transaction } from 'kysely';
import type { Ctx, UserActor } from './context.ts';
import type { Database, Row } from '../db/schema.ts';
import { DomainError, forbidden, invalid, notFound } from './errors.ts';
import { canManageSettings } from './policies.ts';
import type { MailDomains } from './mail-addresses.ts';
import { insertEmailChannel } from './provision-inbox.ts';
import { openJson, sealJson } from './secrets.ts';
import { claimTeamAddress, provenAsFromAddress, routedByOtherAccount, takenElsewhere } from './verify-team-address.ts';

export interface MailServerConfig {
  host: string;
  port: number;
  /** Implicit TLS (IMAPS 993, SMTPS 465); false still upgrades with STARTTLS when offered. */
  tls: boolean;
  user: string;
  password: string;
}

/** A server's settings as shown and audited: everything but the password. */
export const withoutPassword = ({ password: _p, ...shown }: MailServerConfig): Omit<MailServerConfig, 'password'> => shown;

export interface ConnectEmailChannelInput {
  inboxId: string;
  teamAddress: string;
  imap: MailServerConfig;
  smtp: MailServerConfig | null;
  /** Where INBOX stood at the login test: the poller imports mail from uidNext on. */
  imapStart: { uidValidity: string; uidNext: number };
}

/**
 * Refuses a mailbox another channel of the account already reads (the same user on the same
 * server): both would import every message, into two conversations. `exceptChannelId`: the
 * channel being edited.
 */
export async function requireUnreadMailbox(db: Kysely<Database> | Transaction<Database>, accountId: string, imap: Pick<MailServerConfig, 'host' | 'user'>, key: Buffer, exceptChannelId?: string): Promise<void> {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  const channels = await db
    .selectFrom('email_channel_settings')
    .innerJoin('channels', 'channels.id', 'email_channel_settings.channel_id')
    .innerJoin('inboxes', 'inboxes.id', 'channels.inbox_id')
    .select(['channels.id', 'channels.name', 'inboxes.name as inboxName', 'email_channel_settings.imap_config'])
    .where('channels.account_id', '=', accountId)
    .where('email_channel_settings.imap_config', 'is not', null)
    .execute();
  for (const c of channels) {
    if (c.id === exceptChannelId) continue;
    const other = openJson(key, c.imap_config!) as MailServerConfig;
    if (same(other.host, imap.host) && same(other.user, imap.user)) {
      throw new DomainError('conflict', `${imap.user} on ${imap.host} is already connected as ${c.name} in the ${c.inboxName} inbox: every message would arrive twice. Disconnect it there first.`, 'imap.user');
    }
  }
}

/** Who may connect, to which inbox, with which address. Run before the login tests and again in the transaction. */
export async function checkConnectable(db: Kysely<Database> | Transaction<Database>, actor: UserActor, input: { inboxId: string; teamAddress: string }, domains: MailDomains): Promise<Row<'inboxes'>> {
  if (!canManageSettings(actor.user.role)) throw forbidden('Only admins can connect channels');
  const inbox = await db.selectFrom('inboxes').selectAll().where('id', '=', input.inboxId).where('account_id', '=', actor.account.id).executeTakeFirst();
  if (!inbox) throw notFound('Inbox');
  const address = input.teamAddress.trim().toLowerCase();
  const domain = address.split('@')[1] ?? '';
  for (const ours of [domains.mailDomain, domains.freeMailDomain]) {
    if (domain === ours || domain.endsWith(`.${ours}`)) {
      throw invalid('teamAddress', `${address} is one of Parley's own addresses; connect the team's own mailbox (e.g. support@yourcompany.com)`);
    }
  }
  // An unproven claim by another account blocks nothing (it may be a squat); a proven one does.
  const connectedHere = await db
    .selectFrom('email_channel_settings')
    .innerJoin('channels', 'channels.id', 'email_channel_settings.channel_id')
    .select('channels.id')
    .where('channels.account_id', '=', actor.account.id)
    .where('email_channel_settings.team_address', '=', address)
    .executeTakeFirst();
  if (connectedHere) throw new DomainError('address_taken', `${address} is already connected to a channel`, 'teamAddress');
  if (await routedByOtherAccount({ db }, actor.account.id, address)) throw takenElsewhere(address);
  return inbox;
}

export async function connectEmailChannel(
  ctx: Ctx<UserActor>,
  input: ConnectEmailChannelInput,
  env: { domains: MailDomains; secretKey: Buffer },
): Promise<{ channel: Row<'channels'>; email: Row<'email_channel_settings'> }> {
  const { account } = ctx.actor;
  const inbox = await checkConnectable(ctx.db, ctx.actor, input, env.domains);
  await requireUnreadMailbox(ctx.db, account.id, input.imap, env.secretKey);
  const address = input.teamAddress.trim().toLowerCase();
  const created = await insertEmailChannel(ctx, {
    account,
    inboxId: inbox.id,
    name: address,
    localHint: address.split('@')[0] ?? inbox.name,
    isFallback: false,
    domains: env.domains,
    team: {
      address,
      imapConfig: sealJson(env.secretKey, input.imap),
      smtpConfig: input.smtp ? sealJson(env.secretKey, input.smtp) : null,
      imapUidvalidity: input.imapStart.uidValidity,
      imapLastUid: Math.max(0, input.imapStart.uidNext - 1),
    },
  });
  // A link mailed to this address was already confirmed by this account: the same proof.
  if (await provenAsFromAddress(ctx, account.id, address)) created.email.team_address_verified_at = await claimTeamAddress(ctx, created.channel, address);
  await ctx.audit({
    accountId: account.id,
    action: 'channel.connected',
    subjectType: 'channel',
    subjectId: created.channel.id,
    changes: { type: 'email', teamAddress: address, imap: withoutPassword(input.imap), smtp: input.smtp ? withoutPassword(input.smtp) : null },
  });
  await ctx.emit({ type: 'channel.created', accountId: account.id, inboxId: inbox.id, data: { channelId: created.channel.id } });
  return created;
}
