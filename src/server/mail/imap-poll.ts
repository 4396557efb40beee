// The `imap` role: one MailboxWorker per enabled email channel with IMAP settings. It looks at the
// channels every few seconds, and soon after any account's events (a channel connected, turned
// off or on), so changes apply without a restart: a turned-off channel's worker is stopped (its
// mail waits on the server) and started again when it is turned back on (and fetches what waited);
// new or changed settings start or restart a worker.
// One process should play this role: two would fetch the same mail, which ingest then dedupes.
import type { Deps } from '../deps.ts';
import { DEFAULT_TIMINGS, MailboxWorker, type MailboxTimings } from './imap-mailbox.ts';
import { listWatchedMailboxes } from './imap-state.ts';

export interface ImapPollerOptions extends Partial<MailboxTimings> {
  /** How often to re-read the channel rows even without a bus notice. */
  reconcileMs?: number;
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
  const workers = new Map<string, MailboxWorker>();
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function once(): Promise<void> {
    const mailboxes = await listWatchedMailboxes(deps);
    const wanted = new Map(mailboxes.filter((m) => m.enabled && m.teamAddress).map((m) => [m.channelId, m]));
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
    },
  };
}

/** The role starter for main.ts. */
export async function startImapRole(deps: Deps): Promise<{ stop(): Promise<void> }> {
  const poller = startImapPoller(deps);
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
