// The `imap` role: one MailboxWorker per enabled email channel with IMAP settings. It looks at the
// channels every few seconds, and soon after any account's events (a channel connected, turned
// off or on), so changes apply without a restart: a turned-off channel's worker is stopped (its
// mail waits on the server) and started again when it is turned back on (and fetches what waited);
// new or changed settings start or restart a worker.
// Every process plays this role by default, so several replicas share the mailboxes: each takes
// a lease on a mailbox before watching it and renews it at every reconcile; a process that stops
// gives its leases back, and one that dies loses them when they expire, so another takes over.
import type { Deps } from '../deps.ts';
import { DEFAULT_TIMINGS, MailboxWorker, type MailboxTimings } from './imap-mailbox.ts';
import { claimMailboxes, listWatchedMailboxes, newLeaseHolder, releaseLeasesOfGoneProcesses, releaseMailboxes } from './imap-state.ts';
import { acquireInboundProcessing, type ProcessingPlace } from './inbound-processing.ts';

export interface ImapPollerOptions extends Partial<MailboxTimings> {
  /** Where fetched mail is processed, unless another role of this process started it (inbound-processing.ts). */
  processing?: ProcessingPlace;
  /** How often to re-read the channel rows (and renew the leases) even without a bus notice. */
  reconcileMs?: number;
  /** How long a lease lasts unless renewed: how soon another process takes over from a dead one. */
  leaseMs?: number;
}

export interface ImapPoller {
  /** Re-reads the channels now and starts or stops workers to match. */
  reconcile(): Promise<void>;
  /** Channel ids with a running worker. */
  watching(): string[];
  stop(): Promise<void>;
}

export function startImapPoller(deps: Deps, opts: ImapPollerOptions = {}): ImapPoller {
  const timings: MailboxTimings = { ...DEFAULT_TIMINGS, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k in DEFAULT_TIMINGS && v !== undefined)) };
  const reconcileMs = opts.reconcileMs ?? 5_000;
  const leaseMs = opts.leaseMs ?? Math.max(30_000, 3 * reconcileMs);
  // Fetched mail waits in the spool until this turns it into conversations.
  const processing = acquireInboundProcessing(deps, opts.processing ?? 'in-process');
  const holder = newLeaseHolder();
  /** The mailboxes this poller holds the lease on. */
  let held = new Set<string>();
  const workers = new Map<string, MailboxWorker>();
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function once(): Promise<void> {
    const mailboxes = await listWatchedMailboxes(deps);
    const wanted = new Map(mailboxes.filter((m) => m.enabled && m.teamAddress).map((m) => [m.channelId, m]));
    await releaseLeasesOfGoneProcesses(deps, holder, mailboxes);
    const claimed = await claimMailboxes(deps, holder, [...wanted.keys()], leaseMs);
    const unwanted = [...held].filter((id) => !wanted.has(id));
    held = claimed;
    if (unwanted.length) await releaseMailboxes(deps, holder, unwanted);
    // Another process watches the rest.
    for (const id of wanted.keys()) if (!claimed.has(id)) wanted.delete(id);
    const stops: Promise<void>[] = [];
    for (const [id, worker] of workers) {
      const want = wanted.get(id);
      if (!want || want.sealedImap !== worker.mailbox.sealedImap) {
        workers.delete(id);
        stops.push(worker.stop());
      }
    }
    await Promise.all(stops);
    if (stopped) return;
    for (const [id, mailbox] of wanted) {
      if (workers.has(id)) continue;
      const worker = new MailboxWorker(deps, mailbox, timings);
      workers.set(id, worker);
      worker.start();
    }
  }

  /** Serialised: a call during a run schedules one more run after it. */
  function reconcile(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await once().catch((err) => deps.log.error({ err, role: 'imap' }, 'could not read the connected mailboxes'));
        } while (again && !stopped);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  // A bus notice means some account committed events; the channel rows are cheap to re-read, but
  // mail bursts emit many events, so coalesce them.
  let pending: NodeJS.Timeout | null = null;
  const unsubscribe = deps.bus.subscribe(() => {
    if (pending || stopped) return;
    pending = setTimeout(() => {
      pending = null;
      void reconcile();
    }, 250);
  });
  const timer = setInterval(() => void reconcile(), reconcileMs);
  timer.unref();
  void reconcile();

  return {
    reconcile,
    watching: () => [...workers.keys()],
    stop: async () => {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      await running;
      const all = [...workers.values()];
      workers.clear();
      await Promise.all(all.map((w) => w.stop()));
      await releaseMailboxes(deps, holder, [...held]).catch((err: unknown) => deps.log.warn({ err, role: 'imap' }, 'could not give back the mailbox leases; they expire by themselves'));
      held.clear();
      await processing.release();
    },
  };
}

/** The role starter for main.ts. */
export async function startImapRole(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const poller = startImapPoller(deps, { processing: 'thread' });
  // The poller's timers are unref'd; an imap-only process with no mailbox connected yet has no
  // other handle on SQLite, so keep it alive until stopped.
  const keepAlive = setInterval(() => {}, 3600_000);
  return {
    stop: async () => {
      clearInterval(keepAlive);
      await poller.stop();
    },
  };
}
