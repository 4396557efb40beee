// Runs the inbound processor in a worker thread of its own (inbound-processor-worker.ts), so that
// turning spooled mail into conversations (its SQL, its commits, a 1.5 MB message's text and
// search index) never holds the event loop that answers SMTP and the API: that loop only
// receives and spools. The thread is started with the first message (or at start when the spool
// holds work), because an idle server should not pay for a second copy of the server's code.
// If the thread dies it is started again; the spool keeps every message meanwhile.
import { Worker } from 'node:worker_threads';
import type { Deps } from '../deps.ts';
import { checkpointOffThread } from '../db/wal-checkpointer.ts';
import { inboundSpool } from './inbound-spool.ts';
import type { FromProcessor, ToProcessor } from './inbound-processor-worker.ts';
import type { InboundProcessing } from './inbound-processing.ts';

const BOOT = new URL('../worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./inbound-processor-worker.ts', import.meta.url).href;
const RESTART_DELAY_MS = 1_000;
/** At most one "new mail" notice to the thread per this many ms (see onCommit below). */
const ARRIVAL_NOTICE_MS = 50;
/**
 * Receiving first, processing with what is left: the thread (and the parse workers it starts)
 * runs at nice 19, so during a burst the event loop answering SMTP and the API gets the cores
 * and the spool absorbs the difference, as a mail server's delivery agents do. On a machine with
 * a core to spare the thread runs at full speed. (Nice 10 still cost 2 KB mail on 8 connections
 * about 40% of its acceptance rate against no processing at all; 19 about 20%.)
 */
const PROCESSOR_NICE = 19;

export interface ProcessorThread extends InboundProcessing {
  /** The thread now, if started (tests end it to see it come back). */
  current(): Worker | null;
}

export function startProcessorThread(deps: Deps): ProcessorThread {
  const log = deps.log.child({ role: 'smtp' });
  let worker: Worker | null = null;
  let stopping = false;
  let nextId = 1;
  const idleWaiters = new Map<number, () => void>();
  let stopped: (() => void) | null = null;

  const post = (msg: ToProcessor) => worker?.postMessage(msg);

  const start = (): Worker => {
    if (worker) return worker;
    // The thread's commits must not checkpoint the WAL themselves: SQLite runs an automatic
    // checkpoint inside the commit that crosses wal_autocheckpoint, with its page copies and
    // fsyncs, and a twentieth of the thread's commits waited for one (half of all its commit
    // time). The process's checkpoint thread does it instead.
    const checkpointsOffThread = checkpointOffThread(deps.store);
    const w = new Worker(BOOT, { workerData: { entry: ENTRY, config: deps.config, nice: PROCESSOR_NICE, checkpointsOffThread } });
    worker = w;
    w.on('message', (msg: FromProcessor) => {
      if (msg.type === 'published') deps.bus.publish(msg.accountId);
      else if (msg.type === 'jobs') deps.signals.emit('jobs');
      else if (msg.type === 'idle') {
        idleWaiters.get(msg.id)?.();
        idleWaiters.delete(msg.id);
      } else if (msg.type === 'stopped') stopped?.();
    });
    w.on('error', (err) => log.error({ err }, 'the inbound processor thread failed'));
    w.on('exit', (code) => {
      worker = null;
      if (stopping) return stopped?.();
      log.error({ code }, 'the inbound processor thread stopped; starting it again');
      setTimeout(() => {
        if (stopping) return;
        start();
        // Questions the dead thread never answered go to the new one.
        for (const id of idleWaiters.keys()) post({ type: 'idle', id });
      }, RESTART_DELAY_MS).unref();
    });
    return w;
  };

  // A burst commits hundreds of times a second: tell the thread at once, then at most every
  // ARRIVAL_NOTICE_MS (the last commit always reaches it), not once per commit, which cost a
  // message each way and a spool query in the thread every time.
  let lastNotice = 0;
  let noticeTimer: NodeJS.Timeout | null = null;
  const notice = () => {
    lastNotice = Date.now();
    if (worker) post({ type: 'arrived' });
    else start();
  };
  const unsubscribe = inboundSpool(deps.store).onCommit(() => {
    const wait = lastNotice + ARRIVAL_NOTICE_MS - Date.now();
    if (wait <= 0) return notice();
    noticeTimer ??= setTimeout(() => {
      noticeTimer = null;
      notice();
    }, wait);
  });
  const hasWork = () =>
    deps.store.db
      .selectFrom('inbound_queue')
      .select('id')
      .limit(1)
      .executeTakeFirst()
      .then((row) => row !== undefined);
  // What a previous run accepted but did not process.
  void hasWork()
    .then((work) => {
      if (work && !stopping) start();
    })
    .catch((err: unknown) => log.error({ err }, 'reading the inbound spool failed'));

  return {
    current: () => worker,
    idle: async () => {
      if (stopping) return;
      if (!worker && !(await hasWork())) return;
      start();
      const id = nextId++;
      await new Promise<void>((resolve) => {
        idleWaiters.set(id, resolve);
        post({ type: 'idle', id });
      });
    },
    release: async () => {
      stopping = true;
      unsubscribe();
      if (noticeTimer) clearTimeout(noticeTimer);
      for (const resolve of idleWaiters.values()) resolve();
      idleWaiters.clear();
      const w = worker;
      if (!w) return;
      // What is in flight finishes; a row not finished is processed on the next start.
      const done = new Promise<void>((resolve) => (stopped = resolve));
      post({ type: 'stop' });
      const timer = setTimeout(() => void w.terminate(), 30_000);
      await done;
      clearTimeout(timer);
      await w.terminate();
    },
  };
}
