// dialect.ts's inboxIn, the filter every list and search applies for a user who sees only some
// inboxes: it writes the ids as SQL literals (see why there), so check on SQLite and PostgreSQL
// that it keeps exactly the listed inboxes, that a quote in an id is escaped, not executed, and
// that an empty list keeps nothing.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { addConversation } from './access-fixtures.ts';
import { inboxIn } from '../src/server/db/dialect.ts';

describeEachStore('inbox filter', (store) => {
  it('keeps exactly the listed inboxes', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const acct = await makeAccount(deps);
    const now = new Date().toISOString();
    const ids = ["o'brien-inbox", `other-${acct.account.id}`, `hidden-${acct.account.id}`];
    await db.insertInto('inboxes').values(ids.map((id) => ({ id, account_id: acct.account.id, name: id, is_default: 0 as const, access: 'specific' as const, created_at: now }))).execute();
    const byInbox = new Map<string, string>();
    for (const inboxId of [acct.inbox.id, ...ids]) byInbox.set(inboxId, (await addConversation(deps, acct.account, inboxId)).id);
    const listed = async (inboxIds: string[]) =>
      (await db.selectFrom('conversations').select('inbox_id').where('account_id', '=', acct.account.id).where(inboxIn(deps.store.dialect, 'conversations.inbox_id', inboxIds)).execute()).map((r) => r.inbox_id).sort();
    expect(await listed([ids[0]!, ids[1]!])).toEqual([ids[0]!, ids[1]!].sort());
    expect(await listed([acct.inbox.id])).toEqual([acct.inbox.id]);
    expect(await listed(["x') or ('1' = '1"])).toEqual([]);
    expect(await listed([])).toEqual([]);
  });
});
