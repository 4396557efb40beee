// Mail to an agent's default From address. Replies go out from `[username]@[account mail domain]`
// (core/sender.ts) with a Reply-To that threads; a contact whose mail client ignores Reply-To, or
// who writes later to the address they saw, would get "550 no such mailbox" for a reply to our own
// From address. Such mail goes where mail for the account as a whole goes (postmaster's place):
// the default inbox's fallback email, turned off or on with it. A reply to one of our sent
// messages is then filed in its conversation's inbox, wherever that is (agent-replies.ts); other
// mail starts a conversation in the default inbox. Any other name at the account's domain is
// still unknown.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { MailDomains } from '../core/mail-addresses.ts';
import { defaultUsername } from '../core/sender.ts';
import { accountBySubdomain, accountDomainOf, defaultInboxFallback } from './postmaster.ts';
import type { RecipientTarget } from './recipients.ts';

export async function lookupAgentAddress(db: Kysely<Database>, address: string, domains: MailDomains): Promise<RecipientTarget | null> {
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const scope = accountDomainOf(address.slice(at + 1), domains);
  if (!scope) return null;
  const accountId = await accountBySubdomain(db, scope.subdomain, scope.free);
  if (!accountId) return null;
  const local = address.slice(0, at);
  // Deactivated agents too: their replies are still in contacts' mailboxes.
  const users = await db.selectFrom('users').select(['first_name', 'last_name', 'email']).where('account_id', '=', accountId).execute();
  if (!users.some((u) => defaultUsername({ firstName: u.first_name, lastName: u.last_name, email: u.email }) === local)) return null;
  const fallback = await defaultInboxFallback(db, accountId);
  if (!fallback) return null;
  return { address, channelId: fallback.channelId, inboxId: fallback.inboxId, accountId, enabled: fallback.enabled, kind: 'agent' };
}
