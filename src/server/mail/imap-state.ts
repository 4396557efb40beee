// What the IMAP poller reads and writes in the store: the connected mailboxes to watch, the lease
// that lets one process at a time watch each, the UIDVALIDITY/last-UID watermark (so a restart
// neither re-imports nor misses mail), and the channel's status and status detail that the
// settings screen shows.
import crypto from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../deps.ts';
import { chunks } from '../db/chunks.ts';

export interface WatchedMailbox {
  channelId: string;
  accountId: string;
  inboxId: string;
  enabled: boolean;
  teamAddress: string;
  /** The sealed IMAP settings; a change means "reconnect with the new ones". */
  sealedImap: string;
  /** The process holding the mailbox's lease as it was read (newLeaseHolder), if any. */
  leaseHolder: string | null;
}

export async function listWatchedMailboxes(deps: Deps): Promise<WatchedMailbox[]> {
  const rows = await deps.store.db
    .selectFrom('channels')
    .innerJoin('email_channel_settings', 'email_channel_settings.channel_id', 'channels.id')
    .select(['channels.id', 'channels.account_id', 'channels.inbox_id', 'channels.enabled', 'email_channel_settings.team_address', 'email_channel_settings.imap_config', 'email_channel_settings.imap_lease_holder'])
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
    leaseHolder: r.imap_lease_holder,
  }));
}

/**
 * Takes or renews the lease on these mailboxes for `holder` until `now + ttlMs`, where it is free,
 * already ours, or expired (its holder stopped renewing: crashed, hung or cut off from the
 * database). Resolves with the ids this holder now has. One conditional UPDATE per chunk, so two
 * processes claiming at once cannot both win a mailbox.
 */
export async function claimMailboxes(deps: Deps, holder: string, channelIds: string[], ttlMs: number, now = new Date()): Promise<Set<string>> {
  const held = new Set<string>();
  const nowIso = now.toISOString();
  const until = new Date(now.getTime() + ttlMs).toISOString();
  for (const ids of chunks(channelIds)) {
    const rows = await deps.store.db
      .updateTable('email_channel_settings')
      .set({ imap_lease_holder: holder, imap_lease_until: until })
      .where('channel_id', 'in', ids)
      .where((eb) => eb.or([eb('imap_lease_holder', 'is', null), eb('imap_lease_holder', '=', holder), eb('imap_lease_until', '<', nowIso)]))
      .returning('channel_id')
      .execute();
    for (const r of rows) held.add(r.channel_id);
  }
  return held;
}

/** When this process started (ms): tells an earlier process that had the same pid from this one. */
const PROCESS_STARTED_MS = Math.round(Date.now() - process.uptime() * 1000);

/**
 * A lease holder's name, unique per poller: `host:pid:processStart:random`. What
 * releaseLeasesOfGoneProcesses reads back to tell whether the holder still runs.
 */
export function newLeaseHolder(): string {
  return `${os.hostname()}:${process.pid}:${PROCESS_STARTED_MS}:${crypto.randomBytes(4).toString('hex')}`;
}

/** Whether the process a holder names still runs: only answerable for this host's processes. */
function holderGone(holder: string): boolean {
  const [host, pidText, startedText] = holder.split(':');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  // Our own pid: this process, or an earlier one that had its pid (a restarted container's pid 1).
  if (pid === process.pid) return Math.abs(Number(startedText) - PROCESS_STARTED_MS) > 1_000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Frees the leases of processes of this host that are gone (a crash, kill -9, a restart), so their
 * mailboxes are watched again now rather than when the leases expire (30 s and more of no mail
 * after every crash of a single-process install). A pid reused by another program looks alive:
 * that lease just expires as before. Returns how many leases were freed.
 */
export async function releaseLeasesOfGoneProcesses(deps: Deps, holder: string, mailboxes: readonly WatchedMailbox[]): Promise<number> {
  let freed = 0;
  for (const { channelId, leaseHolder } of mailboxes) {
    if (leaseHolder === null || leaseHolder === holder || !holderGone(leaseHolder)) continue;
    // Only if it is still that holder's: read a moment ago with the mailboxes (listWatchedMailboxes).
    const res = await deps.store.db
      .updateTable('email_channel_settings')
      .set({ imap_lease_holder: null, imap_lease_until: null })
      .where('channel_id', '=', channelId)
      .where('imap_lease_holder', '=', leaseHolder)
      .executeTakeFirst();
    freed += Number(res.numUpdatedRows);
  }
  return freed;
}

/** Gives up this holder's leases on these mailboxes, so another process takes them over at once. */
export async function releaseMailboxes(deps: Deps, holder: string, channelIds: string[]): Promise<void> {
  for (const ids of chunks(channelIds)) {
    await deps.store.db
      .updateTable('email_channel_settings')
      .set({ imap_lease_holder: null, imap_lease_until: null })
      .where('channel_id', 'in', ids)
      .where('imap_lease_holder', '=', holder)
      .execute();
  }
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

/** Records that everything up to `lastUid` under `uidValidity` is stored, and when mail last came if some did. */
export async function writeWatermark(deps: Deps, channelId: string, mark: { uidValidity: string; lastUid: number; mailAt?: Date }): Promise<void> {
  await deps.store.db
    .updateTable('email_channel_settings')
    .set({ imap_uidvalidity: mark.uidValidity, imap_last_uid: mark.lastUid, ...(mark.mailAt ? { last_mail_at: mark.mailAt.toISOString() } : {}) })
    .where('channel_id', '=', channelId)
    .execute();
}

/**
 * Our clock (last_mail_at) against the mail server's (INTERNALDATE), plus mail delivered between
 * a fetch and its record: looking back this far re-imports only what dedupe drops.
 */
const HORIZON_MARGIN_MS = 60 * 60_000;

/**
 * After a UIDVALIDITY change, mail the mailbox received from this time on is imported again: from
 * the last mail we fetched (less the margin), but never from before the mailbox was connected (the
 * channel made, or moved to this mailbox), so a renumbered mailbox does not pour years of history
 * into the inbox. Undefined when the channel is gone.
 */
export async function importHorizon(deps: Deps, channelId: string): Promise<Date | undefined> {
  const row = await deps.store.db
    .selectFrom('email_channel_settings')
    .innerJoin('channels', 'channels.id', 'email_channel_settings.channel_id')
    .select(['email_channel_settings.last_mail_at', 'email_channel_settings.imap_connected_at', 'channels.created_at'])
    .where('email_channel_settings.channel_id', '=', channelId)
    .executeTakeFirst();
  if (!row) return undefined;
  const connectedAt = Date.parse(row.imap_connected_at ?? row.created_at);
  const lastMailAt = row.last_mail_at ? Date.parse(row.last_mail_at) - HORIZON_MARGIN_MS : connectedAt;
  return new Date(Math.max(connectedAt, lastMailAt));
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
