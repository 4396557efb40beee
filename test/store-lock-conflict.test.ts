// SQLite, several connections to one file (the event loop's, the spool's writer thread, the
// inbound processor's): a transaction that has read and then writes while another connection
// holds the write lock is refused at once with SQLITE_BUSY, without SQLite's busy wait. It runs
// again once the lock is free, rather than failing the request (it was a 503 for an agent's note
// while inbound mail streamed in).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestStore, makeAccount, type TestStore } from './helpers/stores.ts';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('sqlite');
});
afterAll(async () => {
  await store?.dispose();
});

it('runs a transaction again when another connection took the write lock between its read and its write', async () => {
  const { deps } = store;
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
