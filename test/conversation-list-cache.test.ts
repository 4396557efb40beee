// The conversation list's page cache (http/page-cache.ts) is keyed by the account's event_seq:
// a repeated read is served from memory, and any change a list item shows is visible on the very
// next read, on SQLite and PostgreSQL.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { seedConversations } from './helpers/seed.ts';
import { newId } from '../src/server/core/ids.ts';
import { findOrCreateContactByEmail } from '../src/server/core/contacts.ts';

describeEachStore('conversation list page cache', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('shows a status change and a contact filled in by inbound mail on the next read', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const at = new Date().toISOString();
    const contactId = newId();
    await deps.store.db.insertInto('contacts').values({ id: contactId, account_id: acct.account.id, email: 'ann@example.test', name: '', owner_id: null, created_at: at, updated_at: at }).execute();
    const [first] = await seedConversations(deps.store.db, { accountId: acct.account.id, inboxId: acct.inbox.id, contactIds: [contactId], n: 3, distinctTimes: 3, status: () => 'open', assigneeId: () => null });
    const api = apiClient(app, acct.token);

    const before = await api.get('/conversations?status=open');
    expect(before.body.items).toHaveLength(3);
    expect((await api.get('/conversations?status=open')).body).toEqual(before.body);

    expect((await api.post(`/conversations/${first}/close`)).status).toBe(200);
    const open = await api.get('/conversations?status=open');
    expect(open.body.items.map((c: { id: string }) => c.id)).not.toContain(first);
    expect((await api.get('/conversations')).body.items.find((c: { id: string }) => c.id === first).status).toBe('closed');

    await deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, (ctx) => findOrCreateContactByEmail(ctx, { accountId: acct.account.id, email: 'ann@example.test', name: 'Ann Lee' }));
    const named = await api.get('/conversations');
    expect(named.body.items.map((c: { contact: { name: string } }) => c.contact.name)).toEqual(['Ann Lee', 'Ann Lee', 'Ann Lee']);
  });
});
