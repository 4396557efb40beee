// RFC 5321 §4.5.1: an SMTP server MUST accept mail to "postmaster" (any case), bare and at each
// domain it receives for. Postmaster at an account's mail domain reaches that account's default
// inbox; the bare name and postmaster at MAIL_DOMAIN or FREE_MAIL_DOMAIN reach whoever runs this
// installation: the account of its first super admin (the one `parley account create` made first).
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { MailDomains } from '../core/mail-addresses.ts';
import type { RecipientTarget } from './recipients.ts';

/** Which account a postmaster address is for: the installation's, one subdomain's, or none (not postmaster, or not our domain). */
export function postmasterScope(address: string, domains: MailDomains): { installation: true } | { subdomain: string; free: boolean } | null {
  const at = address.lastIndexOf('@');
  // "postmaster"@… is the same mailbox as postmaster@… (RFC 5321 §4.1.2: the quotes are syntax).
  const local = (at < 0 ? address : address.slice(0, at)).replace(/^"(.*)"$/, '$1');
  if (local !== 'postmaster') return null;
  const domain = at < 0 ? '' : address.slice(at + 1);
  if (domain === '' || domain === domains.mailDomain || domain === domains.freeMailDomain) return { installation: true };
  return accountDomainOf(domain, domains);
}

/** The account subdomain a mail domain names (acme.parley.localhost, acme.free.parley.localhost), or null. */
export function accountDomainOf(domain: string, domains: MailDomains): { subdomain: string; free: boolean } | null {
  // The free domain may sit under the paid one (free.parley.localhost): look at it first.
  for (const [parent, free] of [[domains.freeMailDomain, true], [domains.mailDomain, false]] as const) {
    if (!domain.endsWith(`.${parent}`)) continue;
    const subdomain = domain.slice(0, -parent.length - 1);
    return subdomain.includes('.') ? null : { subdomain, free };
  }
  return null;
}

/** The channel that takes a postmaster address's mail: the fallback channel of the account's default inbox. */
export async function lookupPostmaster(db: Kysely<Database>, address: string, domains: MailDomains): Promise<RecipientTarget | null> {
  const scope = postmasterScope(address, domains);
  if (!scope) return null;
  const accountId = 'installation' in scope ? await firstSuperAdminAccount(db) : await accountBySubdomain(db, scope.subdomain, scope.free);
  if (!accountId) return null;
  const channel = await postmasterChannel(db, accountId);
  if (!channel) return null;
  // Accepted even when every channel is turned off: the RFC's MUST outranks the switch, and a
  // postmaster report is about the mail system, not a customer's conversation.
  return { address, channelId: channel.channelId, inboxId: channel.inboxId, accountId, enabled: true, kind: 'postmaster' };
}

/**
 * The default inbox's fallback email, or, while that is turned off (a team that reads its mail
 * through a connected address), another email channel of the default inbox that is on: the
 * turned-off channel's inbox then shows only mail that came through a channel in use.
 */
async function postmasterChannel(db: Kysely<Database>, accountId: string): Promise<{ channelId: string; inboxId: string } | null> {
  const fallback = await defaultInboxFallback(db, accountId);
  if (!fallback || fallback.enabled) return fallback;
  const other = (await inboxEmailChannels(db, fallback.inboxId)).find((c) => c.enabled);
  return other ? { channelId: other.id, inboxId: fallback.inboxId } : fallback;
}

/** An inbox's email channels, oldest first. */
export async function inboxEmailChannels(db: Kysely<Database>, inboxId: string): Promise<Array<{ id: string; enabled: boolean; isFallback: boolean }>> {
  const rows = await db
    .selectFrom('channels')
    .innerJoin('email_channel_settings', 'email_channel_settings.channel_id', 'channels.id')
    .select(['channels.id', 'channels.enabled', 'email_channel_settings.is_fallback'])
    .where('channels.inbox_id', '=', inboxId)
    .orderBy('channels.created_at')
    .orderBy('channels.id')
    .execute();
  return rows.map((r) => ({ id: r.id, enabled: r.enabled === 1, isFallback: r.is_fallback === 1 }));
}

/** The fallback email channel of the account's default inbox: where mail for the account as a whole goes. */
export async function defaultInboxFallback(db: Kysely<Database>, accountId: string): Promise<{ channelId: string; inboxId: string; enabled: boolean } | null> {
  const row = await db
    .selectFrom('inboxes')
    .innerJoin('channels', 'channels.inbox_id', 'inboxes.id')
    .innerJoin('email_channel_settings', 'email_channel_settings.channel_id', 'channels.id')
    .select(['channels.id as channel_id', 'channels.inbox_id', 'channels.enabled'])
    .where('inboxes.account_id', '=', accountId)
    .where('inboxes.is_default', '=', 1)
    .where('email_channel_settings.is_fallback', '=', 1)
    .executeTakeFirst();
  return row ? { channelId: row.channel_id, inboxId: row.inbox_id, enabled: row.enabled === 1 } : null;
}

async function firstSuperAdminAccount(db: Kysely<Database>): Promise<string | undefined> {
  const user = await db
    .selectFrom('users')
    .select('account_id')
    .where('role', '=', 'super_admin')
    .where('deactivated_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return user?.account_id;
}

export async function accountBySubdomain(db: Kysely<Database>, subdomain: string, free: boolean): Promise<string | undefined> {
  const account = await db.selectFrom('accounts').select(['id', 'plan']).where('subdomain', '=', subdomain).executeTakeFirst();
  // acme.free.parley.localhost is only a free account's domain, acme.parley.localhost only a paid one's.
  return account && (account.plan === 'free') === free ? account.id : undefined;
}
