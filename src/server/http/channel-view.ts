// Assembles Channel API objects for channels the caller may see: each with its email settings, the
// fetched mail that waits for a retry and where its addresses' verification stands, four queries
// for any number of channels.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { ChannelT } from '../../shared/api.ts';
import { waitingMailByChannel } from '../mail/waiting-mail.ts';
import { verificationsByChannel } from '../core/verification-status.ts';
import { presentChannel } from './presenters.ts';

export async function channelViews(db: Kysely<Database>, channels: Row<'channels'>[]): Promise<ChannelT[]> {
  const ids = channels.map((c) => c.id);
  if (ids.length === 0) return [];
  const [emails, waiting] = await Promise.all([db.selectFrom('email_channel_settings').selectAll().where('channel_id', 'in', ids).execute(), waitingMailByChannel(db, ids)]);
  const accountOf = new Map(channels.map((c) => [c.id, c.account_id]));
  const verifications = await verificationsByChannel(db, emails, (id) => accountOf.get(id), new Date());
  const emailByChannel = new Map(emails.map((e) => [e.channel_id, e]));
  return channels.map((c) => presentChannel(c, emailByChannel.get(c.id), { waitingMail: waiting.get(c.id) ?? null, verifications: verifications.get(c.id) }));
}

export async function channelView(db: Kysely<Database>, channel: Row<'channels'>): Promise<ChannelT> {
  const [view] = await channelViews(db, [channel]);
  return view!;
}
