// The use-case context. A use case is `async function verbNoun(ctx, input)`; it runs inside one
// transaction, and emit/enqueue/audit write rows in that same transaction. Only after commit do
// we tell the bus "account X has new events" and kick the job worker, so nothing is published
// that was not committed and nothing committed is missed.
import type { Kysely, Transaction } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { DialectName } from '../db/connect.ts';
import { isRetryableConflict } from '../db/dialect.ts';
import { newId } from './ids.ts';

export type UserActor = {
  kind: 'user';
  user: Row<'users'>;
  account: Row<'accounts'>;
  /** How the request proved who it is; tokens cannot be used for browser-only flows. */
  via: 'session' | 'token' | 'cli';
};
export type SystemActor = { kind: 'system'; accountId: string | null; reason: string };
export type Actor = UserActor | SystemActor;

export interface DomainEvent {
  type: string;
  accountId: string;
  /** The inbox whose access rules decide who may see the event; null for account-wide ones. */
  inboxId: string | null;
  data: Record<string, unknown>;
}

export interface JobRequest {
  type: string;
  accountId: string | null;
  payload: Record<string, unknown>;
  runAt?: Date;
}

export interface AuditEntry {
  accountId: string;
  action: string;
  subjectType: string;
  subjectId: string;
  changes: Record<string, { from: unknown; to: unknown }> | Record<string, unknown>;
}

export interface Ctx<A extends Actor = Actor> {
  db: Transaction<Database>;
  dialect: DialectName;
  actor: A;
  now: Date;
  newId: () => string;
  emit(event: DomainEvent): Promise<void>;
  enqueue(job: JobRequest): Promise<string>;
  audit(entry: AuditEntry): Promise<void>;
}

export interface AfterCommit {
  /** Accounts that emitted events in the transaction. */
  accounts: Set<string>;
  jobs: number;
}

export interface TxRunner {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Called after each commit with what the transaction produced. */
  onCommit?: (result: AfterCommit) => void;
  clock?: () => Date;
}

/**
 * Tries of a transaction the store refused for a lock race it lost (see runInTransaction). SQLite's
 * locks are held for a millisecond or two at a time, behind a stream of them; a PostgreSQL
 * deadlock or serialization failure is rarer, and one that keeps recurring should surface.
 */
const CONFLICT_TRIES: Record<DialectName, number> = { sqlite: 40, postgres: 5 };

/**
 * Runs `fn` in one transaction with a fresh context. A transaction the store refuses for a lock
 * race it lost runs again from the start after a short jittered pause; nothing of a failed try
 * was committed or published (isRetryableConflict).
 *
 * On SQLite, a transaction that has read and then writes while another connection (the spool's
 * writer thread, the inbound processor's) holds the write lock, or has committed since that read,
 * fails at once with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT: waiting could deadlock or could not
 * help, so SQLite does not call its busy handler there. Under a stream of inbound mail that was
 * every third agent's note. On PostgreSQL, a transaction chosen as a deadlock's victim (40P01) or
 * failed for serialization (40001) was rolled back whole.
 */
export async function runInTransaction<A extends Actor, T>(runner: TxRunner, actor: A, fn: (ctx: Ctx<A>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(runner, actor, fn);
    } catch (err) {
      if (!isRetryableConflict(runner.dialect, err) || attempt >= CONFLICT_TRIES[runner.dialect]) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 * attempt) * (0.5 + Math.random())));
    }
  }
}

async function runOnce<A extends Actor, T>(runner: TxRunner, actor: A, fn: (ctx: Ctx<A>) => Promise<T>): Promise<T> {
  const produced: AfterCommit = { accounts: new Set(), jobs: 0 };
  const now = runner.clock ? runner.clock() : new Date();
  const result = await runner.db.transaction().execute(async (trx) => {
    const pending: DomainEvent[] = [];
    const ctx: Ctx<A> = {
      db: trx,
      dialect: runner.dialect,
      actor,
      now,
      newId,
      // Written at the end of the transaction (writeEvents): the account row's event_seq update
      // holds that row's lock until commit, and taken at the first emit it made every later
      // statement of the transaction wait with it (inbound mail processes eight at a time).
      emit: async (event) => {
        pending.push(event);
        produced.accounts.add(event.accountId);
      },
      enqueue: async (job) => {
        const id = newId();
        await trx
          .insertInto('jobs')
          .values({
            id,
            account_id: job.accountId,
            type: job.type,
            payload: JSON.stringify(job.payload),
            status: 'queued',
            run_at: (job.runAt ?? now).toISOString(),
            attempts: 0,
            created_at: now.toISOString(),
            updated_at: now.toISOString(),
          })
          .execute();
        produced.jobs++;
        return id;
      },
      audit: async (entry) => {
        await trx
          .insertInto('audit_log')
          .values({
            id: newId(),
            account_id: entry.accountId,
            actor_user_id: actor.kind === 'user' ? actor.user.id : null,
            action: entry.action,
            subject_type: entry.subjectType,
            subject_id: entry.subjectId,
            changes: JSON.stringify(entry.changes),
            created_at: now.toISOString(),
          })
          .execute();
      },
    };
    const out = await fn(ctx);
    await writeEvents(trx, pending, now);
    return out;
  });
  runner.onCommit?.(produced);
  return result;
}

/** Rows per insert: a bulk action's thousands of events stay under the drivers' parameter limits. */
const EVENTS_PER_INSERT = 500;

/**
 * Gives each account's events the next numbers of its event_seq, in the order they were emitted,
 * with one update and one insert per account. The update locks the account row until commit, so
 * every account's events are numbered in commit order (the socket hub reads them by number).
 */
async function writeEvents(trx: Transaction<Database>, events: DomainEvent[], now: Date): Promise<void> {
  const byAccount = new Map<string, DomainEvent[]>();
  for (const e of events) {
    const list = byAccount.get(e.accountId);
    if (list) list.push(e);
    else byAccount.set(e.accountId, [e]);
  }
  for (const [accountId, list] of byAccount) {
    const counter = await trx
      .updateTable('accounts')
      .set((eb) => ({ event_seq: eb('event_seq', '+', list.length) }))
      .where('id', '=', accountId)
      .returning('event_seq')
      .executeTakeFirstOrThrow();
    const first = Number(counter.event_seq) - list.length + 1;
    const rows = list.map((event, i) => ({
      account_id: accountId,
      seq: first + i,
      type: event.type,
      inbox_id: event.inboxId,
      payload: JSON.stringify(event.data),
      created_at: now.toISOString(),
    }));
    for (let i = 0; i < rows.length; i += EVENTS_PER_INSERT) await trx.insertInto('events').values(rows.slice(i, i + EVENTS_PER_INSERT)).execute();
  }
}

/** The account a user actor acts in; system actors must name one. */
export function actorAccountId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.account.id : actor.accountId;
}
