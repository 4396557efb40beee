// Sends an agent's notification email (assigned to you, @mentioned, a followed conversation got
// a reply, or — for "Contact owner" routing — the message a contact sent while their owner was
// away). The job was written in the same transaction as the change; this handler composes a
// short plain-text mail and hands it to the relay (SMTP_RELAY_URL). Without a relay the job waits
// in the outbox, retried every few minutes, and says why in last_error.
import nodemailer from 'nodemailer';
import type { Deps } from '../deps.ts';
import type { JobHandler } from './runner.ts';
import { PermanentJobError, RetryableJobError } from './runner.ts';
import { accountMailDomain } from '../core/mail-addresses.ts';
import { NOTIFICATION_EMAIL_JOB, type NotificationEmailKind } from '../core/notify.ts';

export { NOTIFICATION_EMAIL_JOB };

const NO_RELAY = 'No outbound relay is configured (SMTP_RELAY_URL): the notification waits in the outbox';
const KINDS: readonly NotificationEmailKind[] = ['assigned', 'mentioned', 'followed_reply', 'contact_owner_away'];

export interface NotificationMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

/** Builds the mail, or null when there is nothing to send any more (user or conversation gone). */
export async function composeNotificationEmail(deps: Deps, payload: Record<string, unknown>): Promise<NotificationMail | null> {
  const { userId, conversationId, messageId, actorUserId } = payload;
  const kind = payload.kind as NotificationEmailKind;
  if (typeof userId !== 'string' || typeof conversationId !== 'string' || !KINDS.includes(kind)) throw new PermanentJobError('notification_email payload is malformed');
  const db = deps.store.db;
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).where('deactivated_at', 'is', null).executeTakeFirst();
  const conversation = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst();
  if (!user || !conversation) return null;
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', conversation.account_id).executeTakeFirstOrThrow();
  const actor = typeof actorUserId === 'string' ? await db.selectFrom('users').select(['first_name', 'last_name', 'email']).where('id', '=', actorUserId).executeTakeFirst() : undefined;
  const who = actor ? `${actor.first_name} ${actor.last_name}`.trim() || actor.email : 'Parley';
  // The message the mail is about: the one named, else (owner away) the contact's latest.
  const message =
    typeof messageId === 'string'
      ? await db.selectFrom('messages').select(['text', 'kind']).where('id', '=', messageId).executeTakeFirst()
      : await db.selectFrom('messages').select(['text', 'kind']).where('conversation_id', '=', conversation.id).where('direction', '=', 'in').orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
  const contact = conversation.contact_id ? await db.selectFrom('contacts').select(['name', 'email']).where('id', '=', conversation.contact_id).executeTakeFirst() : undefined;
  const from = contact ? contact.name || contact.email || 'a contact' : 'a contact';
  const ref = `#${conversation.number} “${conversation.subject}”`;
  const subject = {
    assigned: actor ? `${who} assigned you conversation ${ref}` : `You were automatically assigned conversation ${ref}`,
    mentioned: `${who} mentioned you in conversation ${ref}`,
    followed_reply: `New reply in conversation ${ref}`,
    contact_owner_away: `While you were away, ${from} wrote: ${conversation.subject}`,
  }[kind];
  const link = `${deps.config.publicUrl}/inbox/${conversation.inbox_id}/conversations/${conversation.id}`;
  const body = message ? `\n\n${message.text.slice(0, 4000)}\n` : '\n';
  return {
    from: `Parley <notifications@${accountMailDomain(account.subdomain, account.plan, deps.domains)}>`,
    to: user.email,
    subject: subject.replace(/[\r\n]+/g, ' '),
    text: `${subject}${body}\nOpen it in Parley: ${link}\n\nYou get these emails because email notifications are on in your preferences.\n`,
  };
}

export const notificationEmailHandler: JobHandler = {
  backoffMs: [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000],
  async run(deps, _job, payload) {
    const mail = await composeNotificationEmail(deps, payload);
    if (!mail) return;
    if (!deps.config.smtpRelayUrl) throw new RetryableJobError(NO_RELAY, 10 * 60_000);
    const transport = nodemailer.createTransport(deps.config.smtpRelayUrl);
    try {
      // RFC 3834: automatic mail says so, so auto-responders do not answer it.
      await transport.sendMail({ ...mail, headers: { 'Auto-Submitted': 'auto-generated' } });
    } finally {
      transport.close();
    }
  },
};
