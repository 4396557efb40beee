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

export const NOT_SENDABLE_MESSAGE =
  'Sending is turned off for this inbox: turn on “Use the Parley email for sending messages” in the fallback email’s Configuration tab, or connect a team email address with an SMTP server';

export async function sendingOptions(db: Db, conversation: Pick<Row<'conversations'>, 'inbox_id' | 'channel_id'>): Promise<SendingOptions> {
  // One query for both candidates: the conversation's own channel and the inbox's fallback email.
  const rows = await db
    .selectFrom('email_channel_settings as e')
    .innerJoin('channels as c', 'c.id', 'e.channel_id')
    .selectAll('e')
    .select(['c.id as c_id', 'c.account_id as c_account_id', 'c.inbox_id as c_inbox_id', 'c.type as c_type', 'c.name as c_name', 'c.enabled as c_enabled', 'c.status as c_status', 'c.status_detail as c_status_detail', 'c.created_at as c_created_at'])
    .where((eb) => {
      const fallback = eb.and([eb('c.inbox_id', '=', conversation.inbox_id), eb('e.is_fallback', '=', 1)]);
      return conversation.channel_id ? eb.or([eb('c.id', '=', conversation.channel_id), fallback]) : fallback;
    })
    .orderBy('c.created_at')
    .execute();
  const split = (r: (typeof rows)[number]): ChannelWithEmail => {
    const { c_id, c_account_id, c_inbox_id, c_type, c_name, c_enabled, c_status, c_status_detail, c_created_at, ...email } = r;
    return {
      channel: { id: c_id, account_id: c_account_id, inbox_id: c_inbox_id, type: c_type, name: c_name, enabled: c_enabled, status: c_status, status_detail: c_status_detail, created_at: c_created_at },
      email,
    };
  };
  const own = conversation.channel_id ? rows.find((r) => r.c_id === conversation.channel_id) : undefined;
  const team = own && own.is_fallback === 0 && own.smtp_config && own.c_enabled === 1 ? split(own) : null;
  const fb = rows.find((r) => r.is_fallback === 1 && r.c_inbox_id === conversation.inbox_id);
  const fallbackAny = fb ? split(fb) : null;
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
