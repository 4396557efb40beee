// RCPT lookup: which channel an address routes to, through the channel_addresses table
// (inbound, forwarding and team addresses, stored lower-case). `+tag` sub-addressing
// (RFC 5233) and our reply token (`…+c_<token>@…`) route to the base address's channel.
// Postmaster, which every mail domain must accept, routes as mail/postmaster.ts says, and an
// agent's default From address as mail/agent-addresses.ts says.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { MailDomains } from '../core/mail-addresses.ts';
import { lookupPostmaster } from './postmaster.ts';
import { lookupAgentAddress } from './agent-addresses.ts';

export interface RecipientTarget {
  address: string;
  channelId: string;
  inboxId: string;
  accountId: string;
  enabled: boolean;
  kind: string;
}

/** The address as stored and compared: trimmed, without angle brackets, lower-case. */
export function normalAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').toLowerCase();
}

/** The address without its `+tag`, lower-case: `Inbox+c_x@Acme.test` -> `inbox@acme.test`. */
export function baseAddress(address: string): string {
  const a = normalAddress(address);
  const at = a.lastIndexOf('@');
  if (at <= 0) return a;
  const local = a.slice(0, at);
  const plus = local.indexOf('+');
  return plus > 0 ? `${local.slice(0, plus)}${a.slice(at)}` : a;
}

export async function lookupRecipient(db: Kysely<Database>, address: string): Promise<RecipientTarget | null> {
  const exact = normalAddress(address);
  const candidates = [...new Set([exact, baseAddress(exact)])];
  const rows = await db
    .selectFrom('channel_addresses')
    .innerJoin('channels', 'channels.id', 'channel_addresses.channel_id')
    .select(['channel_addresses.address', 'channel_addresses.kind', 'channels.id as channel_id', 'channels.inbox_id', 'channels.account_id', 'channels.enabled'])
    .where('channel_addresses.address', 'in', candidates)
    .execute();
  // Prefer an exact match (an address that itself contains '+') over the base address.
  const row = rows.find((r) => r.address === exact) ?? rows[0];
  if (!row) return null;
  return { address: exact, channelId: row.channel_id, inboxId: row.inbox_id, accountId: row.account_id, enabled: row.enabled === 1, kind: row.kind };
}

/** Where mail for a recipient goes: a channel's address, else postmaster's place, else an agent's From address's, else nowhere. */
export async function routeRecipient(db: Kysely<Database>, address: string, domains: MailDomains): Promise<RecipientTarget | null> {
  const base = baseAddress(address);
  return (await lookupRecipient(db, address)) ?? (await lookupPostmaster(db, base, domains)) ?? (await lookupAgentAddress(db, base, domains));
}
