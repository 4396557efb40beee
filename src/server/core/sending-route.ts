// Which address a reply in a conversation goes out from: the conversation's connected team
// mailbox when it has an SMTP server (issue 4 item 3), else the inbox's fallback email when
// "Use the Parley email for sending messages" is on (item 4), else nothing (not_sendable).
// Read by the reply use case (to refuse early) and by the outbox worker (to decide at send time,
// so a settings change applies to the next email sent).
import type { Kysely, Transaction } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { DomainError } from './errors.ts';

export interface ChannelWithEmail {
  channel: Row<'channels'>;
  email: Row<'email_channel_settings'>;
}

export interface SendingOptions {
  /** The connected team mailbox with an SMTP server, when the conversation came through one. */
  team: ChannelWithEmail | null;
  /** The inbox's fallback email, when it may send (enabled and use_for_sending on). */
  fallback: ChannelWithEmail | null;
  /** The inbox's fallback email whatever its settings (for addresses and the Reply-To). */
  fallbackAny: ChannelWithEmail | null;
  /** Why the fallback may not send, when it may not. */
  fallbackReason: string | null;
}

type Db = Kysely<Database> | Transaction<Database>;

async function withEmail(db: Db, channelId: string): Promise<ChannelWithEmail | null> {
  const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).executeTakeFirst();
  if (!channel) return null;
  const email = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channelId).executeTakeFirst();
  return email ? { channel, email } : null;
}

export const NOT_SENDABLE_MESSAGE =
  'Sending is turned off for this inbox: turn on “Use the Parley email for sending messages” in the fallback email’s Configuration tab, or connect a team email address with an SMTP server';

export async function sendingOptions(db: Db, conversation: Pick<Row<'conversations'>, 'inbox_id' | 'channel_id'>): Promise<SendingOptions> {
  let team: ChannelWithEmail | null = null;
  if (conversation.channel_id) {
    const own = await withEmail(db, conversation.channel_id);
    if (own && own.email.is_fallback === 0 && own.email.smtp_config && own.channel.enabled === 1) team = own;
  }
  const fb = await db
    .selectFrom('email_channel_settings as e')
    .innerJoin('channels as c', 'c.id', 'e.channel_id')
    .select('c.id')
    .where('c.inbox_id', '=', conversation.inbox_id)
    .where('e.is_fallback', '=', 1)
    .orderBy('c.created_at')
    .executeTakeFirst();
  const fallbackAny = fb ? await withEmail(db, fb.id) : null;
  let fallbackReason: string | null = null;
  if (!fallbackAny) fallbackReason = 'This inbox has no fallback email';
  else if (fallbackAny.channel.enabled !== 1) fallbackReason = 'The fallback email is turned off (Status switch in Settings > Inboxes)';
  else if (fallbackAny.email.use_for_sending !== 1) fallbackReason = NOT_SENDABLE_MESSAGE;
  return { team, fallback: fallbackReason ? null : fallbackAny, fallbackAny, fallbackReason };
}

/** Refuses a reply that nothing could send, with the code the API and UI show. */
export function requireSendable(options: SendingOptions): void {
  if (options.team || options.fallback) return;
  const disabled = options.fallbackAny && options.fallbackAny.channel.enabled !== 1;
  throw new DomainError(disabled ? 'channel_disabled' : 'not_sendable', options.fallbackReason ?? NOT_SENDABLE_MESSAGE);
}
