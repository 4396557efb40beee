// One connected team mailbox, kept in sync: connect, open INBOX, import every message above the
// stored UID watermark (after a UIDVALIDITY change, only what arrived since the import horizon,
// never the history from before connecting), then wait in IDLE (RFC 2177; imapflow falls back
// to NOOP polling where the server lacks IDLE) with a periodic re-sync as a safety net. Each message goes into the
// inbound spool, as SMTP mail does, and the watermark advances once it is durably there, so a
// crash re-fetches at most one message, which ingest then recognises as a duplicate. The spool's
// processor makes the conversations: a message it cannot store yet is retried there with backoff
// and never holds back the mail behind it. Login and network failures set the channel's status
// and are retried with exponential backoff.
import type { ImapFlow } from 'imapflow';
import { newImapClient } from './imap-client.ts';
import type { Deps } from '../deps.ts';
import type { MailServerConfig } from '../core/connect-email-channel.ts';
import { openJson, secretKey, SecretDecryptError } from '../core/secrets.ts';
import { resolveMailHost } from './mail-host.ts';
import { classifyImapError, imapClientOptions } from './connection-tests.ts';
import { inboundSpool } from './inbound-spool.ts';
import { MessageSink } from './spool-files.ts';
import { importHorizon, isChannelEnabled, markFetched, readWatermark, setChannelStatus, writeWatermark, type MailboxStatus, type WatchedMailbox } from './imap-state.ts';

export interface MailboxTimings {
  /** Full re-sync even without an IDLE notice (servers that drop notices, NAT timeouts). */
  resyncMs: number;
  /** Quiet time before imapflow enters IDLE after our last command. */
  autoIdleDelayMs: number;
  /** Per-phase network timeout (connect, greeting). */
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_TIMINGS: MailboxTimings = {
  resyncMs: 60_000,
  autoIdleDelayMs: 1_000,
  timeoutMs: 20_000,
  backoffBaseMs: 2_000,
  backoffMaxMs: 10 * 60_000,
};

/** Spooling failed (our store, not the mailbox): retry later without blaming the mail server. */
class SpoolFailure extends Error {}
/** The server closed a working connection: reconnect at once, status unchanged until that fails. */
class ConnectionClosed extends Error {}

export function backoffDelay(failures: number, t: Pick<MailboxTimings, 'backoffBaseMs' | 'backoffMaxMs'>): number {
  if (failures <= 0) return 0;
  return Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** Math.min(failures - 1, 20));
}

/** Bounds on one FETCH of whole messages: what is held in memory until the spool has it. */
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 16 * 1024 * 1024;

/** Consecutive runs of the new UIDs within both bounds; a message larger than the byte bound goes alone. */
export function fetchBatches(messages: Array<{ uid: number; size: number }>): Array<Array<{ uid: number; size: number }>> {
  const batches: Array<Array<{ uid: number; size: number }>> = [];
  let current: Array<{ uid: number; size: number }> = [];
  let bytes = 0;
  for (const m of [...messages].sort((a, b) => a.uid - b.uid)) {
    if (current.length && (current.length >= BATCH_MESSAGES || bytes + m.size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += m.size;
  }
  if (current.length) batches.push(current);
  return batches;
}

const DAY_MS = 24 * 3600_000;

/** An IMAP sequence set for these UIDs, runs folded into ranges ("3:7,9,12:13"), so a long list stays a short command. */
export function uidSet(uids: number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}:${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/** The promise itself, marked handled: it is only ever awaited inside a race, maybe never. */
function noUnhandled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Ends a client's session: LOGOUT when logged in, else just the socket. A client still connecting
 * would queue the LOGOUT behind a login that never comes, and stopping the poller right after a
 * mailbox was taken over waited forever for it.
 */
async function endSession(client: ImapFlow): Promise<void> {
  if (client.usable) await client.logout().catch(() => client.close());
  else client.close();
}

export class MailboxWorker {
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private client: ImapFlow | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly deps: Deps,
    readonly mailbox: WatchedMailbox,
    private readonly timings: MailboxTimings,
  ) {}

  /** Rejects once stop() is called: what a session waits on that stopping cannot otherwise end. */
  private stopNow: () => void = () => {};
  private readonly stopping = noUnhandled(
    new Promise<never>((_, reject) => {
      this.stopNow = () => reject(new Error('The mailbox worker stopped'));
    }),
  );

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.stopNow();
    if (this.client) await endSession(this.client);
    await this.loop;
  }

  /** A notice (new mail, close, stop) that came while we were busy is kept for the next sleep. */
  private woken = false;

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
    else this.woken = true;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped || this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private get log() {
    return this.deps.log.child({ role: 'imap', channelId: this.mailbox.channelId });
  }

  private async status(status: MailboxStatus, detail: string | null): Promise<void> {
    try {
      if (await setChannelStatus(this.deps, this.mailbox, status, detail)) this.log.info({ status, detail }, 'mailbox status changed');
    } catch (err) {
      this.log.error({ err }, 'could not record mailbox status');
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let config: MailServerConfig | null = null;
      try {
        config = openJson(secretKey(this.deps.config), this.mailbox.sealedImap) as MailServerConfig;
        await this.session(config);
        failures = 0;
      } catch (err) {
        if (this.stopped) break;
        failures++;
        if (err instanceof ConnectionClosed) {
          // A drop after a working session: try again at once; a failing reconnect sets the status.
          failures = 0;
          this.log.warn('IMAP connection closed; reconnecting');
        } else if (err instanceof SpoolFailure) {
          this.log.error({ err: err.cause }, 'spooling fetched mail failed; will retry');
        } else if (err instanceof SecretDecryptError) {
          await this.status('disconnected', `The saved IMAP settings cannot be read: ${err.message}; connect the mailbox again`);
        } else {
          const failure = classifyImapError(err, config ?? { host: '?', port: 0 });
          await this.status(failure.kind === 'auth_failed' ? 'auth_failed' : failure.kind === 'unreachable' ? 'unreachable' : 'disconnected', failure.detail);
          this.log.warn({ err, failures }, "IMAP session failed");
        }
      }
      if (!this.stopped) await this.sleep(backoffDelay(failures, this.timings));
    }
  }

  private async session(config: MailServerConfig): Promise<void> {
    const resolved = await resolveMailHost(config.host, { allowPrivate: this.deps.config.allowPrivateMailHosts, label: 'IMAP', field: 'imap.host' });
    const client = await newImapClient({
      ...imapClientOptions(config, resolved, this.timings.timeoutMs),
      socketTimeout: 5 * 60_000,
      autoIdleDelay: this.timings.autoIdleDelayMs,
      // RFC 2177 §3: clients should re-issue IDLE at least every 29 minutes.
      maxIdleTime: 10 * 60_000,
    });
    this.client = client;
    let closed = false;
    // Events from this client matter only while this session runs: a failed connect also emits
    // 'close', and waking the backoff sleep for it would defeat the backoff.
    let active = true;
    client.on('error', (err: unknown) => this.log.debug({ err }, 'IMAP client error'));
    client.on('exists', () => {
      if (active) this.wake();
    });
    client.on('close', () => {
      closed = true;
      if (active) this.wake();
    });
    try {
      if (this.stopped) return;
      // Raced with stop(): a client closed while it connects never settles its connect().
      await Promise.race([client.connect(), this.stopping]);
      await client.mailboxOpen('INBOX');
      await this.status('ok', null);
      while (!this.stopped && !closed) {
        await this.sync(client);
        if (this.stopped || closed) break;
        await this.sleep(this.timings.resyncMs);
      }
      if (closed && !this.stopped) throw new ConnectionClosed('connection closed');
    } finally {
      active = false;
      this.client = null;
      if (!closed) await endSession(client);
    }
  }

  /**
   * Durably in the spool when this resolves; a large message goes to a spool file as SMTP's do.
   * Dated by when the mailbox received it (INTERNALDATE, RFC 3501 §2.3.3), so mail that waited
   * there while the channel was off or Parley was down keeps its place in the inbox.
   */
  private spool(source: Buffer, internalDate: Date | string | undefined): Promise<string> {
    const sink = new MessageSink(this.deps.config.dataDir);
    sink.write(source);
    const receivedAt = internalDate instanceof Date ? internalDate.toISOString() : undefined;
    return inboundSpool(this.deps.store).appendSink(sink, {
      via: 'imap',
      channelId: this.mailbox.channelId,
      mailFrom: null,
      recipients: [this.mailbox.teamAddress],
      ...(receivedAt ? { receivedAt } : {}),
    });
  }

  /** Imports every message above the watermark, oldest first. */
  private async sync(client: ImapFlow): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new ConnectionClosed('mailbox not open');
    const uidValidity = String(mailbox.uidValidity);
    const mark = await readWatermark(this.deps, this.mailbox.channelId);
    if (!mark) return; // the channel was deleted; the supervisor stops this worker
    let lastUid = mark.lastUid ?? 0;
    if (mark.uidValidity === null) {
      // Never looked at yet: start from where the INBOX stands; what is there is history.
      lastUid = Math.max(0, mailbox.uidNext - 1);
      await writeWatermark(this.deps, this.mailbox.channelId, { uidValidity, lastUid });
    } else if (mark.uidValidity !== uidValidity) {
      this.log.warn({ from: mark.uidValidity, to: uidValidity }, 'UIDVALIDITY changed; re-scanning the mailbox since the import horizon');
      const covered = await this.rescanSinceHorizon(client, uidValidity);
      if (covered === null) return; // interrupted: the next sync starts the re-scan over
      lastUid = covered;
    }
    // `n:*` always matches the highest UID even when it is below n (RFC 3501 §6.4.8), so filter.
    const sizes: Array<{ uid: number; size: number }> = [];
    if (mailbox.exists > 0) {
      for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
        if (m.uid > lastUid) sizes.push({ uid: m.uid, size: m.size ?? 0 });
      }
    }
    const done = await this.importMessages(client, sizes, (batchLastUid, fetched) =>
      writeWatermark(this.deps, this.mailbox.channelId, { uidValidity, lastUid: batchLastUid, mailAt: fetched ? new Date() : undefined }),
    );
    if (done) await markFetched(this.deps, this.mailbox.channelId, new Date());
  }

  /**
   * RFC 3501 §2.3.1.1: a new UIDVALIDITY voids every UID we knew. Rather than the whole mailbox,
   * imports what it received since the import horizon (imap-state.ts); dedupe and the deleted
   * conversations' tombstones drop what we already have or deleted. The watermark takes the new
   * UIDVALIDITY only once all of it is in the spool, so an interrupted re-scan starts over.
   * Resolves with the highest UID the re-scan covered, or null when interrupted.
   */
  private async rescanSinceHorizon(client: ImapFlow, uidValidity: string): Promise<number | null> {
    const horizon = await importHorizon(this.deps, this.mailbox.channelId);
    if (!horizon || !client.mailbox) return null;
    // Mail that arrives during the re-scan gets a higher UID than this and comes with the usual fetch.
    const top = client.mailbox.exists > 0 ? ((await client.fetchOne('*', { uid: true }, { uid: true })) || { uid: 0 }).uid : 0;
    // SEARCH SINCE compares dates only, in the server's time zone (RFC 3501 §6.4.4): ask from a day
    // early, then keep exact INTERNALDATEs from the horizon on (whole seconds, so its second counts).
    const candidates = top > 0 ? await client.search({ since: new Date(horizon.getTime() - DAY_MS) }, { uid: true }) : false;
    const from = Math.floor(horizon.getTime() / 1000) * 1000;
    const wanted: Array<{ uid: number; size: number }> = [];
    const inRange = (candidates || []).filter((uid) => uid <= top);
    if (inRange.length) {
      for await (const m of client.fetch(uidSet(inRange), { uid: true, size: true, internalDate: true }, { uid: true })) {
        // A message without a date is imported: losing mail is worse than re-checking it.
        const at = m.internalDate instanceof Date ? m.internalDate.getTime() : Number.NaN;
        if (m.uid <= top && !(at < from)) wanted.push({ uid: m.uid, size: m.size ?? 0 });
      }
    }
    let fetched = 0;
    const done = await this.importMessages(client, wanted, async (_, n) => {
      fetched += n;
    });
    if (!done) return null;
    this.log.info({ horizon: horizon.toISOString(), candidates: inRange.length, fetched }, 're-scan after UIDVALIDITY change done');
    await writeWatermark(this.deps, this.mailbox.channelId, { uidValidity, lastUid: top, mailAt: fetched ? new Date() : undefined });
    return top;
  }

  /**
   * Fetches these messages into the spool in batches, oldest first, calling `afterBatch` once each
   * batch is durably there. False when stopped or turned off midway: the rest stays on the server
   * and is fetched when turned on again (the supervisor stops this worker on its next look).
   */
  private async importMessages(
    client: ImapFlow,
    messages: Array<{ uid: number; size: number }>,
    afterBatch: (batchLastUid: number, fetched: number) => Promise<void>,
  ): Promise<boolean> {
    for (const batch of fetchBatches(messages)) {
      if (this.stopped) return false;
      if (!(await isChannelEnabled(this.deps, this.mailbox.channelId))) return false;
      // One FETCH for the batch, each message into the spool as it arrives: their appends share
      // group commits instead of one disk flush (and one round trip) per message.
      const appends: Array<Promise<string>> = [];
      const uids = new Set(batch.map((m) => m.uid));
      const range = uidSet([...uids]);
      for await (const msg of client.fetch(range, { uid: true, source: true, internalDate: true }, { uid: true })) {
        if (uids.has(msg.uid) && msg.source) appends.push(this.spool(msg.source, msg.internalDate));
      }
      const failed = (await Promise.allSettled(appends)).find((r) => r.status === 'rejected');
      if (failed) throw new SpoolFailure('spooling failed', { cause: failed.reason });
      this.log.debug({ range, fetched: appends.length }, 'fetched');
      // Expunged between the size look and the FETCH (not returned): nothing to import, move past it.
      await afterBatch(batch[batch.length - 1]!.uid, appends.length);
    }
    return true;
  }
}
