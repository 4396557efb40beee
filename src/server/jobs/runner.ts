// The transactional outbox's worker. Jobs are rows written in the same transaction as the change
// that caused them; this loop claims due jobs, runs their handler, and marks them done, retries
// them on a backoff schedule, or gives up with a reason. A claim is a conditional UPDATE, so two
// workers (or two processes) never run the same attempt; a claim whose lease expired (the process
// died mid-job) is claimed again, so nothing is forgotten. Handlers must be idempotent.
import type { Deps } from '../deps.ts';
import type { Row } from '../db/schema.ts';

export class PermanentJobError extends Error {}
/** Retry later; `after` overrides the schedule (e.g. a server's Retry-After). */
export class RetryableJobError extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}

export interface JobHandler {
  run(deps: Deps, job: Row<'jobs'>, payload: Record<string, unknown>): Promise<void>;
  /** Delays before attempts 2, 3, …; when exhausted the job fails. */
  backoffMs?: number[];
  /** Called once when the job gives up, to record the reason where users see it. */
  onGiveUp?(deps: Deps, job: Row<'jobs'>, payload: Record<string, unknown>, reason: string): Promise<void>;
  /** How long a claim lasts before another worker may take the job over. */
  leaseMs?: number;
}

export type JobHandlers = Record<string, JobHandler>;

const DEFAULT_BACKOFF = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];

export interface Worker {
  /** Runs due jobs until none is left; for tests and for the loop. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export function createWorker(deps: Deps, handlers: JobHandlers, opts: { pollMs?: number; clock?: () => Date } = {}): Worker {
  const clock = opts.clock ?? (() => new Date());
  let stopped = false;
  let running: Promise<number> | null = null;

  async function claimNext(): Promise<Row<'jobs'> | undefined> {
    const now = clock();
    const nowIso = now.toISOString();
    const candidates = await deps.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('type', 'in', Object.keys(handlers))
      .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', nowIso)])]))
      .where('run_at', '<=', nowIso)
      .orderBy('run_at')
      .limit(10)
      .execute();
    for (const job of candidates) {
      const lease = handlers[job.type]?.leaseMs ?? 5 * 60_000;
      const claimed = await deps.store.db
        .updateTable('jobs')
        .set({ status: 'running', locked_until: new Date(now.getTime() + lease).toISOString(), attempts: job.attempts + 1, updated_at: nowIso })
        .where('id', '=', job.id)
        .where('status', '=', job.status)
        .where('attempts', '=', job.attempts)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) return { ...job, status: 'running', attempts: job.attempts + 1 };
    }
    return undefined;
  }

  async function runOne(job: Row<'jobs'>): Promise<void> {
    const handler = handlers[job.type]!;
    const payload = JSON.parse(job.payload) as Record<string, unknown>;
    const finish = (set: Partial<Row<'jobs'>>) =>
      deps.store.db.updateTable('jobs').set({ ...set, locked_until: null, updated_at: clock().toISOString() }).where('id', '=', job.id).execute();
    try {
      await handler.run(deps, job, payload);
      await finish({ status: 'done', last_error: null });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const schedule = handler.backoffMs ?? DEFAULT_BACKOFF;
      const delay = err instanceof RetryableJobError ? (err.afterMs ?? schedule[job.attempts - 1]) : err instanceof PermanentJobError ? undefined : schedule[job.attempts - 1];
      if (delay === undefined) {
        await finish({ status: 'failed', last_error: reason });
        await handler.onGiveUp?.(deps, job, payload, reason);
        deps.log.warn({ jobId: job.id, type: job.type, reason }, 'job gave up');
      } else {
        await finish({ status: 'queued', last_error: reason, run_at: new Date(clock().getTime() + delay).toISOString() });
      }
    }
  }

  async function drainOnce(): Promise<number> {
    let count = 0;
    for (;;) {
      if (stopped) return count;
      const job = await claimNext();
      if (!job) return count;
      await runOne(job);
      count++;
    }
  }

  const drain = (): Promise<number> => {
    // One drain at a time per worker; a kick during a drain is picked up by the next loop turn.
    running ??= drainOnce().finally(() => {
      running = null;
    });
    return running;
  };

  const kick = () => {
    void drain().catch((err) => deps.log.error({ err }, 'job worker failed'));
  };
  deps.signals.on('jobs', kick);
  const timer = setInterval(kick, opts.pollMs ?? 1000);
  timer.unref();

  return {
    drain,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      deps.signals.off('jobs', kick);
      await running;
    },
  };
}
