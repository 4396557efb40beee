// dialect.ts's inboxIn given the SQLite connection: the visible inboxes are a temp table kept per
// scope. Check it keeps exactly the listed inboxes, that a statement built for a scope whose table
// was dropped fails (never reads another scope's inboxes), that inside a transaction it falls back
// to literals and makes no table, and that the plan stays on the newest-first index with ANALYZE
// statistics.
import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { makeAccount, openTestStore, type TestStore } from './helpers/stores.ts';
import { addConversation } from './access-fixtures.ts';
import { inboxIn } from '../src/server/db/dialect.ts';

describe('inbox filter on kept scope tables [sqlite]', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('sqlite');
  });
  afterAll(async () => {
    await store.dispose();
  });

  async function world() {
    const deps = store.deps;
    const acct = await makeAccount(deps);
    const now = new Date().toISOString();
    const ids = [`o'brien-${acct.account.id}`, `other-${acct.account.id}`, `hidden-${acct.account.id}`];
    await deps.store.db.insertInto('inboxes').values(ids.map((id) => ({ id, account_id: acct.account.id, name: id, is_default: 0 as const, access: 'specific' as const, created_at: now }))).execute();
    for (const inboxId of [acct.inbox.id, ...ids]) await addConversation(deps, acct.account, inboxId);
    const query = (inboxIds: readonly string[]) =>
      deps.store.db
        .selectFrom('conversations')
        .select('inbox_id')
        .where('account_id', '=', acct.account.id)
        .where(inboxIn(deps.store.dialect, 'conversations.inbox_id', inboxIds, deps.store.sqlite))
        .orderBy('last_activity_at', 'desc')
        .orderBy('id', 'desc');
    const listed = async (inboxIds: readonly string[]) => (await query(inboxIds).execute()).map((r) => r.inbox_id).sort();
    return { deps, acct, ids, query, listed };
  }

  it('keeps exactly the listed inboxes, through the kept tables', async () => {
    const { acct, ids, query, listed } = await world();
    const some = [ids[0]!, ids[1]!];
    expect(query(some).compile().sql).toContain('temp.inbox_scope_');
    expect(await listed(some)).toEqual([...some].sort());
    expect(await listed(some)).toEqual([...some].sort()); // the kept table, a second time
    expect(await listed([acct.inbox.id])).toEqual([acct.inbox.id]);
    expect(await listed(["x') or ('1' = '1"])).toEqual([]);
    expect(await listed([])).toEqual([]);
  });

  it('a statement built for a scope whose table was dropped fails instead of reading another scope', async () => {
    const { acct, ids, query, listed } = await world();
    const stale = query([ids[0]!, ids[1]!]);
    // More new scopes than a connection keeps: the first one's table goes, and its name is not reused.
    for (let i = 0; i < 300; i++) expect(await listed([acct.inbox.id, `absent-${i}`])).toEqual([acct.inbox.id]);
    await expect(stale.execute()).rejects.toThrow(/no such table/);
    expect(await listed([ids[0]!, ids[1]!])).toEqual([ids[0]!, ids[1]!].sort()); // kept again, under a new id
  });

  it('inside a transaction uses literals and makes no table (a rollback would take it back)', async () => {
    const { deps, acct, ids, listed } = await world();
    const scope = [ids[2]!, acct.inbox.id];
    const inside = await deps.store.db.transaction().execute(async (trx) => {
      const filter = inboxIn(deps.store.dialect, 'conversations.inbox_id', scope, deps.store.sqlite);
      const rows = await trx.selectFrom('conversations').select('inbox_id').where('account_id', '=', acct.account.id).where(filter).execute();
      return { text: trx.selectFrom('conversations').select('id').where(filter).compile().sql, inboxIds: rows.map((r) => r.inbox_id).sort() };
    });
    expect(inside.text).not.toContain('temp.inbox_scope_');
    expect(inside.inboxIds).toEqual([...scope].sort());
    expect(await listed(scope)).toEqual([...scope].sort());
  });

  it('stays on the newest-first index with ANALYZE statistics of a large account', async () => {
    const { deps, ids, query } = await world();
    const sqlite = deps.store.sqlite!;
    // The statistics of the bench's world (one account's 50,000 conversations in 500 inboxes), reloaded.
    sqlite.exec(`ANALYZE;
      DELETE FROM sqlite_stat1 WHERE tbl = 'conversations';
      DELETE FROM sqlite_stat4 WHERE tbl = 'conversations';
      INSERT INTO sqlite_stat1 VALUES ('conversations', 'conversations_account_activity', '50000 50000 17 1 1'),
        ('conversations', 'conversations_inbox_activity', '50000 100 17 1'), ('conversations', 'conversations_inbox_status_activity', '50000 100 54 17 1');
      ANALYZE sqlite_schema;`);
    const at = new Date().toISOString();
    const compiled = query([ids[0]!, ids[1]!]).where('last_activity_at', '<=', at).limit(51).compile();
    const plan = sqlite
      .prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`)
      .all(...compiled.parameters)
      .map((r) => (r as { detail: string }).detail)
      .join(' | ');
    expect(plan).toContain('conversations_account_activity');
    expect(plan).not.toContain('TEMP B-TREE FOR ORDER BY');
  });
});
