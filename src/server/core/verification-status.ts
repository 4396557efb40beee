// Where the proof of each channel's addresses stands, for the settings screens: verified, a link
// out and waiting to be opened (and when another may be asked for), the last link expired, never
// asked, or, for a team address, already proven by another account (so asking again is pointless).
// Read for many channels at once: two queries whatever their number.
import type { Kysely } from 'kysely';
import type { Database, Row, VerificationPurpose } from '../db/schema.ts';
import type { AddressVerificationT } from '../../shared/api.ts';
import { RESEND_AFTER_MS } from './verification-links.ts';

type EmailRow = Pick<Row<'email_channel_settings'>, 'channel_id' | 'team_address' | 'team_address_verified_at' | 'custom_from_address' | 'custom_from_verified_at'>;

export interface ChannelVerifications {
  teamAddress: AddressVerificationT | null;
  customFrom: AddressVerificationT | null;
}

type LinkRow = Pick<Row<'address_verifications'>, 'channel_id' | 'purpose' | 'address' | 'expires_at' | 'used_at' | 'created_at'>;

/** `accountOf`: the account of each channel (a team address routed by another account's channel is taken). */
export async function verificationsByChannel(db: Kysely<Database>, emails: EmailRow[], accountOf: (channelId: string) => string | undefined, now: Date): Promise<Map<string, ChannelVerifications>> {
  const result = new Map<string, ChannelVerifications>();
  if (emails.length === 0) return result;
  const ids = emails.map((e) => e.channel_id);
  const teamAddresses = [...new Set(emails.flatMap((e) => (e.team_address && !e.team_address_verified_at ? [e.team_address] : [])))];
  const [links, routed] = await Promise.all([
    db
      .selectFrom('address_verifications')
      .select(['channel_id', 'purpose', 'address', 'expires_at', 'used_at', 'created_at'])
      .where('channel_id', 'in', ids)
      .orderBy('created_at', 'desc')
      .execute(),
    teamAddresses.length
      ? db
          .selectFrom('channel_addresses')
          .innerJoin('channels', 'channels.id', 'channel_addresses.channel_id')
          .select(['channel_addresses.address', 'channels.account_id'])
          .where('channel_addresses.address', 'in', teamAddresses)
          .execute()
      : Promise.resolve([]),
  ]);
  const routedBy = new Map(routed.map((r) => [r.address, r.account_id]));
  const takenElsewhere = (e: EmailRow) => {
    const owner = e.team_address ? routedBy.get(e.team_address) : undefined;
    return owner !== undefined && owner !== accountOf(e.channel_id);
  };
  /** The channel's newest link of the purpose (links arrive newest first). */
  const newest = new Map<string, LinkRow>();
  for (const link of links) {
    const key = `${link.channel_id}:${link.purpose}`;
    if (!newest.has(key)) newest.set(key, link);
  }
  const state = (channelId: string, purpose: VerificationPurpose, address: string, verifiedAt: string | null, taken: boolean): AddressVerificationT => {
    if (verifiedAt) return { state: 'verified', sentAt: null, expiresAt: null, resendAfter: null };
    if (taken) return { state: 'taken', sentAt: null, expiresAt: null, resendAfter: null };
    const link = newest.get(`${channelId}:${purpose}`);
    // A link for an address the channel no longer has proves nothing about the one it has.
    if (!link || link.address !== address || link.used_at) return { state: 'none', sentAt: null, expiresAt: null, resendAfter: null };
    const resendAt = new Date(Date.parse(link.created_at) + RESEND_AFTER_MS);
    return {
      state: link.expires_at > now.toISOString() ? 'sent' : 'expired',
      sentAt: link.created_at,
      expiresAt: link.expires_at,
      resendAfter: resendAt > now ? resendAt.toISOString() : null,
    };
  };
  for (const e of emails) {
    result.set(e.channel_id, {
      teamAddress: e.team_address ? state(e.channel_id, 'team_address', e.team_address, e.team_address_verified_at, takenElsewhere(e)) : null,
      customFrom: e.custom_from_address ? state(e.channel_id, 'from_address', e.custom_from_address, e.custom_from_verified_at, false) : null,
    });
  }
  return result;
}
