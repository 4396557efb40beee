// Assembles Channel API objects for channels the caller may see: each with its email settings and
// the fetched mail that waits for a retry, two queries for any number of channels.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { ChannelT } from '../../shared/api.ts';
import { waitingMailByChannel } from '../mail/waiting-mail.ts';
import { presentChannel } from './presenters.ts';

export async function channelViews(db: Kysely<Database>, channels: Row<'channels'>[]): Promise<ChannelT[]> {
  const ids = channels.map((c) => c.id);
  if (ids.length === 0) return [];
  const [emails, waiting] = await Promise.all([db.selectFrom('email_channel_settings').selectAll().where('channel_id', 'in', ids).execute(), waitingMailByChannel(db, ids)]);
  const emailByChannel = new Map(emails.map((e) => [e.channel_id, e]));
  return channels.map((c) => presentChannel(c, emailByChannel.get(c.id), waiting.get(c.id) ?? null));
}

export async function channelView(db: Kysely<Database>, channel: Row<'channels'>): Promise<ChannelT> {
  const [view] = await channelViews(db, [channel]);
  return view!;
}
