// Turns spool rows (inbound-spool.ts) into conversations, in the smtp role's process, like
// Postfix's queue manager: bounded concurrency, a byte budget so big messages are parsed one or
// two at a time, each row through ingestRawEmail (parse in the worker pool, one short transaction
// that also deletes the row). A failure leaves the row for a later attempt with backoff; a
// message that cannot be parsed is not a failure (it is stored raw with its parse error). On
// start it drains whatever a previous run left.
// One processor per store in a process (inbound-processing.ts); several processes would each take
// rows, and dedupe (inbox, Message-ID, content hash) would keep every message once.
import fsp from 'node:fs/promises';
import type { Deps } from '../deps.ts';
import type { Row } from '../db/schema.ts';
import { idFloorAt } from '../core/ids.ts';
import { ingestRawEmail } from './ingest.ts';
import { inboundSpool } from './inbound-spool.ts';
import { spoolPath, sweepOrphans } from './spool-files.ts';

export interface ProcessorOptions {
  /** Messages in processing at once (parse workers and transactions overlap). */
  concurrency?: number;
  /** Bytes of messages in processing at once; a single larger one still goes, alone. */
  byteBudget?: number;
  /** Safety net when no commit wakes us (rows due for a retry, rows of another process). */
  pollMs?: number;
  /** See RECEIVING_WINDOW_MS and BURST_DEFERRAL_MS (tests shorten or lengthen them). */
  receivingWindowMs?: number;
  burstDeferralMs?: number;
}

/**
 * While mail keeps arriving (a spool commit within this window), the cores go to receiving: the
 * spool holds the burst, and the backlog is cleared at full concurrency once it ends. Mail that
 * has waited BURST_DEFERRAL_MS is still processed meanwhile, one message at a time, so a steady
 * stream never leaves the inbox more than that behind (while one at a time keeps up with it).
 * Why defer at all: each processing transaction competes with the receiver for the cores and,
 * on SQLite, for the write lock and the WAL fsync that every 250 waits for.
 */
const RECEIVING_WINDOW_MS = 250;
const BURST_DEFERRAL_MS = 5_000;

type Queued = Pick<Row<'inbound_queue'>, 'id' | 'size' | 'spool_file'>;

const MAX_BACKOFF_MS = 5 * 60_000;

export class InboundProcessor {
  /** Each message in processing, by spool id: settled once it is stored (or deferred), see turn(). */
  private readonly inFlight = new Map<string, Promise<void>>();
  private inFlightBytes = 0;
  private stopped = false;
  private fetching: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private idleWaiters: Array<() => void> = [];
  private lastArrival = 0;
  private relaxTimer: NodeJS.Timeout | null = null;
  private readonly concurrency: number;
  private readonly byteBudget: number;
  private readonly receivingWindowMs: number;
  private readonly burstDeferralMs: number;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: Deps,
    opts: ProcessorOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 8;
    this.byteBudget = opts.byteBudget ?? 32 * 1024 * 1024;
    this.receivingWindowMs = opts.receivingWindowMs ?? RECEIVING_WINDOW_MS;
    this.burstDeferralMs = opts.burstDeferralMs ?? BURST_DEFERRAL_MS;
    this.timer = setInterval(() => this.kick(), opts.pollMs ?? 2_000);
    this.timer.unref();
    this.unsubscribe = inboundSpool(deps.store).onCommit(() => this.arrived());
    void this.sweep();
    this.kick();
  }

  /** New mail is in the spool. */
  arrived(): void {
    this.lastArrival = Date.now();
    this.kick();
  }

  /** Looks for work now. */
  kick(): void {
    if (this.stopped) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    this.fetching = this.fill()
      .catch((err: unknown) => this.deps.log.error({ err }, 'reading the inbound spool failed'))
      .finally(() => {
        this.fetching = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else void this.checkIdle();
      });
  }

  /** Resolves when nothing is in processing and no spool row is due, or once stopped. */
  idle(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    if (this.relaxTimer) clearTimeout(this.relaxTimer);
    await this.fetching;
    // What is in flight finishes; a row not finished is simply processed on the next start.
    while (this.inFlight.size) await new Promise((r) => setTimeout(r, 20));
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async fill(): Promise<void> {
    const receiving = Date.now() - this.lastArrival < this.receivingWindowMs;
    const free = (receiving ? 1 : this.concurrency) - this.inFlight.size;
    if (free <= 0) return;
    const now = new Date().toISOString();
    let q = this.deps.store.db
      .selectFrom('inbound_queue')
      .select(['id', 'size', 'spool_file'])
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
      .orderBy('id')
      .limit(free);
    if (this.inFlight.size) q = q.where('id', 'not in', [...this.inFlight.keys()]);
    // Spool ids sort by creation time: a primary-key range. Filtering on received_at read every
    // queued row on each look (on PostgreSQL 211 ms for 3,000 queued behind a delete backlog), and
    // during a burst the processor looks after every commit.
    if (receiving) q = q.where('id', '<', idFloorAt(Date.now() - this.burstDeferralMs));
    const rows = await q.execute();
    let started = 0;
    for (const row of rows) {
      const fits = this.inFlight.size === 0 || this.inFlightBytes + row.size <= this.byteBudget;
      // Keep arrival order: a big message waits for room rather than being overtaken forever.
      if (!fits) break;
      this.start(row);
      started++;
    }
    // A full page: there may be more (a finishing message kicks us otherwise).
    if (started === free) this.again = true;
    // The burst may end with no further commit to wake us: look again at full concurrency then.
    if (receiving && !this.relaxTimer) {
      this.relaxTimer = setTimeout(() => {
        this.relaxTimer = null;
        this.kick();
      }, this.receivingWindowMs);
      this.relaxTimer.unref();
    }
  }

  private start(row: Queued): void {
    this.inFlightBytes += row.size;
    const settled = this.process(row).finally(() => {
      this.inFlight.delete(row.id);
      this.inFlightBytes -= row.size;
      this.kick();
    });
    this.inFlight.set(row.id, settled);
  }

  /**
   * Resolves once every message in processing that reached the spool before this one (spool ids
   * sort by arrival) is stored or deferred. Parsing still overlaps; the transactions take turns,
   * so new conversations are numbered in arrival order. On SQLite they queued for the one writer
   * anyway; on PostgreSQL they queued for their account's row (counter, event sequence) from
   * about halfway through, and the bench's processing rate says what taking turns costs there.
   */
  private turn(id: string): Promise<void> {
    const earlier = [...this.inFlight].filter(([other]) => other < id).map(([, settled]) => settled);
    return Promise.all(earlier).then(() => undefined);
  }

  private async process(row: Queued): Promise<void> {
    const db = this.deps.store.db;
    try {
      const full = await db.selectFrom('inbound_queue').selectAll().where('id', '=', row.id).executeTakeFirst();
      if (!full) return; // another process took it
      const raw = full.raw ? Buffer.from(full.raw) : await fsp.readFile(spoolPath(this.deps.config.dataDir, full.spool_file!));
      const result = await ingestRawEmail(this.deps, {
        raw,
        recipients: JSON.parse(full.recipients_json) as string[],
        mailFrom: full.mail_from,
        via: full.via,
        // SMTP mail goes where its recipients point; its channel only says where failures show.
        channelId: full.via === 'imap' ? (full.channel_id ?? undefined) : undefined,
        spoolId: full.id,
        receivedAt: full.received_at,
        turn: () => this.turn(full.id),
      });
      if (result.outcome === 'no_channel') this.deps.log.warn({ spoolId: full.id }, 'inbound mail dropped: every channel it was addressed to was removed after it was accepted');
      if (full.spool_file) await fsp.rm(spoolPath(this.deps.config.dataDir, full.spool_file), { force: true });
    } catch (err) {
      await this.deferRow(row.id, err);
    }
  }

  private async deferRow(id: string, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    try {
      const current = await this.deps.store.db.selectFrom('inbound_queue').select('attempts').where('id', '=', id).executeTakeFirst();
      if (!current) return;
      const attempts = current.attempts + 1;
      const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10));
      this.deps.log.error({ err, spoolId: id, attempts }, 'processing inbound mail failed; it stays in the spool and is retried');
      await this.deps.store.db
        .updateTable('inbound_queue')
        .set({ attempts, next_attempt_at: new Date(Date.now() + delay).toISOString(), last_error: message.slice(0, 1000) })
        .where('id', '=', id)
        .execute();
    } catch (again) {
      this.deps.log.error({ err: again, spoolId: id }, 'could not record an inbound processing failure');
    }
  }

  private async checkIdle(): Promise<void> {
    if (!this.idleWaiters.length || this.inFlight.size || this.fetching) return;
    const now = new Date().toISOString();
    const due = await this.deps.store.db
      .selectFrom('inbound_queue')
      .select('id')
      .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
      .limit(1)
      .executeTakeFirst()
      .catch(() => undefined);
    if (due) return this.kick();
    if (this.inFlight.size || this.fetching) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async sweep(): Promise<void> {
    try {
      const rows = await this.deps.store.db.selectFrom('inbound_queue').select('spool_file').where('spool_file', 'is not', null).execute();
      await sweepOrphans(this.deps.config.dataDir, new Set(rows.map((r) => r.spool_file!)));
    } catch (err) {
      this.deps.log.warn({ err }, 'sweeping orphaned spool files failed');
    }
  }
}
