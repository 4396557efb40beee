// Keyset pagination over more than 1,000 rows on SQLite and PostgreSQL: walking every page of
// conversations, contacts and users returns every row exactly once, in the documented order,
// including rows that tie on the sort time; filters stay applied across pages.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { testApp } from './helpers/api.ts';
import { seedContacts, seedConversations, seedUsers } from './helpers/seed.ts';

type Api = ReturnType<typeof apiClient>;

/** Follows nextCursor to the end; returns every item id in the order served. */
async function walk(api: Api, path: string, limit: number): Promise<{ ids: string[]; pages: number; items: Array<Record<string, unknown>> }> {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: { status: number; body: { items: Array<Record<string, unknown>>; nextCursor: string | null } } = await api.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages++;
    if (pages > 10_000) throw new Error('pagination does not terminate');
  } while (cursor);
  return { ids: items.map((i) => i.id as string), pages, items };
}

const desc = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0);

describeEachStore('keyset pagination over 1,000+ rows', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('walks 1,050 conversations newest-activity first, each once, ties broken by id; filters hold across pages', async () => {
    const { db } = store().deps.store;
    const acct = await makeAccount(store().deps);
    const contacts = await seedContacts(db, acct.account.id, 10);
    const ids = await seedConversations(db, {
      accountId: acct.account.id,
      inboxId: acct.inbox.id,
      contactIds: contacts,
      n: 1050,
      distinctTimes: 97, // ~11 conversations share each timestamp
      status: (i) => (i % 3 === 0 ? 'closed' : 'open'),
      assigneeId: (i) => (i % 5 === 0 ? acct.owner.id : null),
    });
    const rows = await db.selectFrom('conversations').select(['id', 'last_activity_at', 'status', 'assignee_id']).where('account_id', '=', acct.account.id).execute();
    const expected = [...rows].sort((a, b) => desc<typeof a>((r) => r.last_activity_at)(a, b) || desc<typeof a>((r) => r.id)(a, b));
    const api = apiClient(app, acct.token);

    const all = await walk(api, '/conversations', 37);
    expect(all.ids).toHaveLength(1050);
    expect(new Set(all.ids).size).toBe(1050);
    expect(all.ids).toEqual(expected.map((r) => r.id));
    expect(new Set(all.ids)).toEqual(new Set(ids));
    expect(all.pages).toBe(Math.ceil(1050 / 37));

    const open = await walk(api, `/conversations?status=open&inboxId=${acct.inbox.id}`, 200);
    expect(open.ids).toEqual(expected.filter((r) => r.status === 'open').map((r) => r.id));
    const mine = await walk(api, '/conversations?assigneeId=me', 50);
    expect(mine.ids).toEqual(expected.filter((r) => r.assignee_id === acct.owner.id).map((r) => r.id));
    const unassignedClosed = await walk(api, '/conversations?assigneeId=unassigned&status=closed', 64);
    expect(unassignedClosed.ids).toEqual(expected.filter((r) => r.assignee_id === null && r.status === 'closed').map((r) => r.id));
  });

  it('walks 1,200 contacts newest first, each once, ties broken by id', async () => {
    const { db } = store().deps.store;
    const acct = await makeAccount(store().deps);
    await seedContacts(db, acct.account.id, 1200, 101);
    const rows = await db.selectFrom('contacts').select(['id', 'created_at']).where('account_id', '=', acct.account.id).execute();
    const expected = [...rows].sort((a, b) => desc<typeof a>((r) => r.created_at)(a, b) || desc<typeof a>((r) => r.id)(a, b));
    const all = await walk(apiClient(app, acct.token), '/contacts', 41);
    expect(all.ids).toHaveLength(1200);
    expect(new Set(all.ids).size).toBe(1200);
    expect(all.ids).toEqual(expected.map((r) => r.id));
  });

  it('walks 1,001 users oldest first (the owner plus 1,000), each once', async () => {
    const { db } = store().deps.store;
    const acct = await makeAccount(store().deps);
    const seeded = await seedUsers(db, acct.account.id, 1000);
    const all = await walk(apiClient(app, acct.token), '/users', 200);
    expect(all.ids).toHaveLength(1001);
    expect(new Set(all.ids).size).toBe(1001);
    expect(all.ids).toEqual([acct.owner.id, ...seeded].sort());
    expect(all.pages).toBe(6);
  });

  it('never leaks rows of another account into a walk', async () => {
    const { db } = store().deps.store;
    const a = await makeAccount(store().deps);
    const b = await makeAccount(store().deps);
    await seedConversations(db, { accountId: b.account.id, inboxId: b.inbox.id, contactIds: [], n: 300, distinctTimes: 7 });
    await seedConversations(db, { accountId: a.account.id, inboxId: a.inbox.id, contactIds: [], n: 5, distinctTimes: 7 });
    const walked = await walk(apiClient(app, a.token), '/conversations', 2);
    expect(walked.ids).toHaveLength(5);
    expect(walked.items.every((c) => c.inboxId === a.inbox.id)).toBe(true);
  });
});
