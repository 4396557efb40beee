// A transaction the store refuses for a lock race it lost runs again from the start, rather than
// failing the request (runInTransaction, dialect.ts's isRetryableConflict).
//
// SQLite, several connections to one file (the event loop's, the spool's writer thread, the
// inbound processor's): a transaction that has read and then writes while another connection
// holds the write lock is refused at once with SQLITE_BUSY, without SQLite's busy wait. It runs
// again once the lock is free (it was a 503 for an agent's note while inbound mail streamed in).
//
// PostgreSQL: two transactions that each lock a row the other then updates deadlock, and the
// server rolls one back (40P01); a repeatable-read transaction that updates a row another
// committed since its snapshot fails with 40001. Either runs again and commits.
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, makeAccount, STORE_KINDS, type StoreKind, type TestStore } from './helpers/stores.ts';

const stores: Partial<Record<StoreKind, TestStore>> = {};
beforeAll(async () => {
  for (const kind of STORE_KINDS) stores[kind] = await openTestStore(kind);
});
afterAll(async () => {
  for (const store of Object.values(stores)) await store.dispose();
});

describe('lock conflicts [sqlite]', () => {
  it('runs a transaction again when another connection took the write lock between its read and its write', async () => {
    const { deps } = stores.sqlite!;
    const acct = await makeAccount(deps);
    const other = new Database(deps.store.sqlite!.name);
    try {
      let tries = 0;
      const renamed = await deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, async (ctx) => {
        tries++;
        const inbox = await ctx.db.selectFrom('inboxes').select(['id', 'name']).where('id', '=', acct.inbox.id).executeTakeFirstOrThrow();
        if (tries === 1) {
          // Another connection commits in a moment; until then it holds the lock this write needs.
          other.exec('begin immediate');
          setTimeout(() => other.exec('commit'), 30);
        }
        await ctx.db.updateTable('inboxes').set({ name: `${inbox.name} (renamed)` }).where('id', '=', inbox.id).execute();
        return `${inbox.name} (renamed)`;
      });
      expect(tries).toBeGreaterThan(1);
      const row = await deps.store.db.selectFrom('inboxes').select('name').where('id', '=', acct.inbox.id).executeTakeFirstOrThrow();
      expect(row.name).toBe(renamed);
    } finally {
      other.close();
    }
  });
});

describe('lock conflicts [postgres]', () => {
  /** A promise and its resolve, to hold one transaction at a point until the other reaches its own. */
  function signal(): { reached: Promise<void>; reach: () => void } {
    let reach!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    return { reached, reach };
  }

  it('runs again the transaction a deadlock rolled back, and both commit', async () => {
    const { deps } = stores.postgres!;
    const a = await makeAccount(deps);
    const b = await makeAccount(deps);
    const aLocked = signal();
    const bLocked = signal();
    const tries = { first: 0, second: 0 };
    // Each renames its own inbox (taking that row's lock), waits until the other has done the
    // same, then renames the other's: each waits for the other, and PostgreSQL rolls one back.
    const crossRename = (which: 'first' | 'second', mine: string, theirs: string, iLocked: () => void, theyLocked: Promise<void>) =>
      deps.run({ kind: 'system', accountId: null, reason: 'test' }, async (ctx) => {
        tries[which]++;
        await ctx.db.updateTable('inboxes').set({ name: `${which} (own)` }).where('id', '=', mine).execute();
        if (tries[which] === 1) {
          iLocked();
          await theyLocked;
        }
        await ctx.db.updateTable('inboxes').set({ name: `${which} (other's)` }).where('id', '=', theirs).execute();
      });
    const results = await Promise.allSettled([
      crossRename('first', a.inbox.id, b.inbox.id, aLocked.reach, bLocked.reached),
      crossRename('second', b.inbox.id, a.inbox.id, bLocked.reach, aLocked.reached),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    // One was the deadlock's victim and ran again after the other committed.
    expect([tries.first, tries.second].sort()).toEqual([1, 2]);
    const winner = tries.first === 1 ? 'first' : 'second';
    const rerun = winner === 'first' ? 'second' : 'first';
    const names = await deps.store.db.selectFrom('inboxes').select(['id', 'name']).where('id', 'in', [a.inbox.id, b.inbox.id]).execute();
    const byId = new Map(names.map((r) => [r.id, r.name]));
    // The transaction that ran again wrote last: its own inbox and the other's carry its names.
    const rerunOwn = rerun === 'first' ? a.inbox.id : b.inbox.id;
    const rerunTheirs = rerun === 'first' ? b.inbox.id : a.inbox.id;
    expect(byId.get(rerunOwn)).toBe(`${rerun} (own)`);
    expect(byId.get(rerunTheirs)).toBe(`${rerun} (other's)`);
  });

  it('runs again a transaction that failed for serialization (40001)', async () => {
    const { deps } = stores.postgres!;
    const acct = await makeAccount(deps);
    let tries = 0;
    await deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, async (ctx) => {
      tries++;
      await sql`set transaction isolation level repeatable read`.execute(ctx.db);
      const inbox = await ctx.db.selectFrom('inboxes').select(['id', 'name']).where('id', '=', acct.inbox.id).executeTakeFirstOrThrow();
      // Another connection renames the inbox and commits after this transaction's snapshot.
      if (tries === 1) await deps.store.db.updateTable('inboxes').set({ name: 'renamed elsewhere' }).where('id', '=', inbox.id).execute();
      await ctx.db.updateTable('inboxes').set({ name: `${inbox.name} (renamed)` }).where('id', '=', inbox.id).execute();
    });
    expect(tries).toBe(2);
    const row = await deps.store.db.selectFrom('inboxes').select('name').where('id', '=', acct.inbox.id).executeTakeFirstOrThrow();
    expect(row.name).toBe('renamed elsewhere (renamed)');
  });
});
