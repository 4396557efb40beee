// After "Connect a channel" > team email: what an admin does with a connected mailbox later.
// Read its connection settings (never the passwords), change them (a new password after a
// rotation, another server), or disconnect it. The transport tests a changed login before
// calling updateEmailConnection, as it does before connecting.
import type { Ctx, UserActor } from './context.ts';
import type { Database, Row } from '../db/schema.ts';
import type { Kysely, Transaction } from 'kysely';
import { DomainError, notFound } from './errors.ts';
import { inboxForSettings } from './inbox-access.ts';
import { openJson, sealJson } from './secrets.ts';
import { requireUnreadMailbox, withoutPassword as hide, type MailServerConfig } from './connect-email-channel.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type MailServerShown = Omit<MailServerConfig, 'password'>;

export interface EmailConnection {
  teamAddress: string;
  imap: MailServerShown;
  smtp: MailServerShown | null;
}

/** A server's settings as sent to edit them: the password may be left out to keep the saved one. */
export type MailServerEdit = MailServerShown & { password?: string | undefined };

export interface ConnectionEdit {
  imap: MailServerEdit;
  /** Absent: keep the saved SMTP server; null: send through Parley's own relay from now on. */
  smtp?: MailServerEdit | null | undefined;
}

interface ConnectedMailbox {
  channel: Row<'channels'>;
  email: Row<'email_channel_settings'>;
  imap: MailServerConfig;
  smtp: MailServerConfig | null;
}

/** The channel, if it is a connected team mailbox of the actor's account that the actor may manage. */
async function connectedMailbox(db: Db, actor: UserActor, channelId: string, key: Buffer, action: string): Promise<ConnectedMailbox> {
  const channel = await db.selectFrom('channels').selectAll().where('id', '=', channelId).where('account_id', '=', actor.account.id).executeTakeFirst();
  if (!channel) throw notFound('Channel');
  await inboxForSettings(db, actor.user, channel.inbox_id, action);
  const email = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', channel.id).executeTakeFirst();
  if (!email?.imap_config || !email.team_address) {
    throw new DomainError('conflict', email?.is_fallback ? 'The fallback email address is part of the inbox: turn it off instead' : 'This channel is not a connected team mailbox');
  }
  return {
    channel,
    email,
    imap: openJson(key, email.imap_config) as MailServerConfig,
    smtp: email.smtp_config ? (openJson(key, email.smtp_config) as MailServerConfig) : null,
  };
}

export async function readEmailConnection(db: Db, actor: UserActor, channelId: string, key: Buffer): Promise<EmailConnection> {
  const box = await connectedMailbox(db, actor, channelId, key, 'see connection settings');
  return { teamAddress: box.email.team_address ?? '', imap: hide(box.imap), smtp: box.smtp ? hide(box.smtp) : null };
}

/**
 * The full settings an edit asks for, passwords filled in from the saved ones where left out:
 * what the transport tests before saving. A new server needs its password (another host or user
 * with the old password would send that password somewhere it was never meant to go).
 */
export async function resolveConnectionEdit(db: Db, actor: UserActor, channelId: string, edit: ConnectionEdit, key: Buffer): Promise<{ imap: MailServerConfig; smtp: MailServerConfig | null }> {
  const box = await connectedMailbox(db, actor, channelId, key, 'change connection settings');
  const fill = (next: MailServerEdit, saved: MailServerConfig | null, field: string): MailServerConfig => {
    if (next.password !== undefined) return { ...next, password: next.password };
    if (!saved || saved.host !== next.host || saved.user !== next.user) {
      throw new DomainError('validation_failed', 'Enter the password: the server or user name changed', `${field}.password`);
    }
    return { ...next, password: saved.password };
  };
  const imap = fill(edit.imap, box.imap, 'imap');
  await requireUnreadMailbox(db, actor.account.id, imap, key, channelId);
  const smtp = edit.smtp === undefined ? box.smtp : edit.smtp === null ? null : fill(edit.smtp, box.smtp, 'smtp');
  return { imap, smtp };
}

/**
 * Whether new settings reach the mailbox the channel was reading. The server's address may be
 * spelt another way (localhost for 127.0.0.1) or its port moved, so what decides is the INBOX the
 * login test found: the same user, the same UIDVALIDITY, and UIDs that reach our place in it.
 * (Host and port alone decided once, and a mailbox fixed after moving port skipped the mail that
 * had arrived while it was failing.)
 */
function isSameMailbox(box: ConnectedMailbox, next: MailServerConfig, start: { uidValidity: string; uidNext: number }): boolean {
  if (box.imap.user.toLowerCase() !== next.user.toLowerCase()) return false;
  const sameServer = box.imap.host.toLowerCase() === next.host.toLowerCase() && box.imap.port === next.port;
  if (sameServer) return true;
  return box.email.imap_uidvalidity === start.uidValidity && (box.email.imap_last_uid ?? 0) <= Math.max(0, start.uidNext - 1);
}

/**
 * Saves tested settings. The same mailbox (isSameMailbox) keeps its place (UID validity and last
 * UID), so nothing is fetched twice or skipped; another mailbox starts from where its INBOX stood
 * at the login test, like a new connection. The IMAP role restarts the channel's worker when it
 * sees the sealed settings change.
 */
export async function updateEmailConnection(
  ctx: Ctx<UserActor>,
  input: { channelId: string; imap: MailServerConfig; smtp: MailServerConfig | null; imapStart: { uidValidity: string; uidNext: number } },
  key: Buffer,
): Promise<void> {
  const { account } = ctx.actor;
  const box = await connectedMailbox(ctx.db, ctx.actor, input.channelId, key, 'change connection settings');
  const sameMailbox = isSameMailbox(box, input.imap, input.imapStart);
  await ctx.db
    .updateTable('email_channel_settings')
    .set({
      imap_config: sealJson(key, input.imap),
      smtp_config: input.smtp ? sealJson(key, input.smtp) : null,
      ...(sameMailbox ? {} : { imap_uidvalidity: input.imapStart.uidValidity, imap_last_uid: Math.max(0, input.imapStart.uidNext - 1), imap_connected_at: ctx.now.toISOString() }),
    })
    .where('channel_id', '=', box.channel.id)
    .execute();
  // A failed status belonged to the old settings; the worker reports on the new ones.
  await ctx.db.updateTable('channels').set({ status: 'pending', status_detail: null }).where('id', '=', box.channel.id).execute();
  await ctx.audit({
    accountId: account.id,
    action: 'channel.connection_changed',
    subjectType: 'channel',
    subjectId: box.channel.id,
    changes: {
      imap: { from: hide(box.imap), to: hide(input.imap) },
      smtp: { from: box.smtp ? hide(box.smtp) : null, to: input.smtp ? hide(input.smtp) : null },
      passwordChanged: { from: false, to: box.imap.password !== input.imap.password || box.smtp?.password !== input.smtp?.password },
    },
  });
  await ctx.emit({ type: 'channel.updated', accountId: account.id, inboxId: box.channel.inbox_id, data: { channelId: box.channel.id, status: 'pending' } });
}

/**
 * Disconnects a team mailbox: its settings, addresses and saved credentials go (mail to its
 * addresses is then refused as an unknown recipient, and nothing more is fetched); its
 * conversations stay in the inbox and are answered from the inbox's fallback address when it
 * has one. The mailbox on the team's server is left as it is.
 */
export async function disconnectEmailChannel(ctx: Ctx<UserActor>, input: { channelId: string }, key: Buffer): Promise<{ movedConversations: number }> {
  const { account } = ctx.actor;
  const box = await connectedMailbox(ctx.db, ctx.actor, input.channelId, key, 'disconnect channels');
  const fallback = await ctx.db
    .selectFrom('channels')
    .innerJoin('email_channel_settings', 'email_channel_settings.channel_id', 'channels.id')
    .select('channels.id')
    .where('channels.inbox_id', '=', box.channel.inbox_id)
    .where('email_channel_settings.is_fallback', '=', 1)
    .executeTakeFirst();
  const moved = await ctx.db.updateTable('conversations').set({ channel_id: fallback?.id ?? null }).where('channel_id', '=', box.channel.id).executeTakeFirst();
  await ctx.db.deleteFrom('channels').where('id', '=', box.channel.id).execute();
  const movedConversations = Number(moved.numUpdatedRows);
  await ctx.audit({
    accountId: account.id,
    action: 'channel.disconnected',
    subjectType: 'channel',
    subjectId: box.channel.id,
    changes: { teamAddress: { from: box.email.team_address, to: null }, imap: { from: hide(box.imap), to: null }, movedConversations: { from: 0, to: movedConversations } },
  });
  await ctx.emit({ type: 'channel.deleted', accountId: account.id, inboxId: box.channel.inbox_id, data: { channelId: box.channel.id } });
  return { movedConversations };
}
