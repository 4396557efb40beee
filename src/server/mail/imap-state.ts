// What the IMAP poller reads and writes in the store: the connected mailboxes to watch, the
// UIDVALIDITY/last-UID watermark (so a restart neither re-imports nor misses mail), and the
// channel's status and status detail that the settings screen shows.
import type { Deps } from '../deps.ts';

export interface WatchedMailbox {
  channelId: string;
  accountId: string;
  inboxId: string;
  enabled: boolean;
  teamAddress: string;
  /** The sealed IMAP settings; a change means "reconnect with the new ones". */
  sealedImap: string;
}

export async function listWatchedMailboxes(deps: Deps): Promise<WatchedMailbox[]> {
  const rows = await deps.store.db
    .selectFrom('channels')
    .innerJoin('email_channel_settings', 'email_channel_settings.channel_id', 'channels.id')
    .select(['channels.id', 'channels.account_id', 'channels.inbox_id', 'channels.enabled', 'email_channel_settings.team_address', 'email_channel_settings.imap_config'])
    .where('channels.type', '=', 'email')
    .where('email_channel_settings.imap_config', 'is not', null)
    .execute();
  return rows.map((r) => ({
    channelId: r.id,
    accountId: r.account_id,
    inboxId: r.inbox_id,
    enabled: r.enabled === 1,
    teamAddress: r.team_address ?? '',
    sealedImap: r.imap_config ?? '',
  }));
}

export interface Watermark {
  uidValidity: string | null;
  lastUid: number | null;
}

export async function readWatermark(deps: Deps, channelId: string): Promise<Watermark | undefined> {
  const row = await deps.store.db
    .selectFrom('email_channel_settings')
    .select(['imap_uidvalidity', 'imap_last_uid'])
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return row ? { uidValidity: row.imap_uidvalidity, lastUid: row.imap_last_uid } : undefined;
}

/** Records that everything up to `lastUid` under `uidValidity` is stored. */
export async function writeWatermark(deps: Deps, channelId: string, mark: { uidValidity: string; lastUid: number }): Promise<void> {
  await deps.store.db
    .updateTable('email_channel_settings')
    .set({ imap_uidvalidity: mark.uidValidity, imap_last_uid: mark.lastUid })
    .where('channel_id', '=', channelId)
    .execute();
}

export async function markFetched(deps: Deps, channelId: string, at: Date): Promise<void> {
  await deps.store.db.updateTable('email_channel_settings').set({ last_fetched_at: at.toISOString() }).where('channel_id', '=', channelId).execute();
}

export async function isChannelEnabled(deps: Deps, channelId: string): Promise<boolean> {
  const row = await deps.store.db.selectFrom('channels').select('enabled').where('id', '=', channelId).executeTakeFirst();
  return row?.enabled === 1;
}

export type MailboxStatus = 'ok' | 'auth_failed' | 'unreachable' | 'disconnected';

/** Sets the channel's status; emits channel.updated only when it changes, so the UI follows. */
export async function setChannelStatus(deps: Deps, mailbox: Pick<WatchedMailbox, 'channelId' | 'accountId' | 'inboxId'>, status: MailboxStatus, detail: string | null): Promise<boolean> {
  return deps.run({ kind: 'system', accountId: mailbox.accountId, reason: 'imap status' }, async (ctx) => {
    const current = await ctx.db.selectFrom('channels').select(['status', 'status_detail']).where('id', '=', mailbox.channelId).executeTakeFirst();
    if (!current || (current.status === status && current.status_detail === detail)) return false;
    await ctx.db.updateTable('channels').set({ status, status_detail: detail }).where('id', '=', mailbox.channelId).execute();
    await ctx.emit({ type: 'channel.updated', accountId: mailbox.accountId, inboxId: mailbox.inboxId, data: { channelId: mailbox.channelId, status } });
    return true;
  });
}
