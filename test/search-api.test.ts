// GET /api/v1/search (issue 5: the access policy applies to "every API endpoint, socket
// subscription and search"), on SQLite (FTS5) and PostgreSQL (tsvector): what matches (words of
// the subject, message and note text, contact name and email, by prefix; not activity lines), keyset
// pages, the index following new messages, moves and deletions in the same transaction, and the
// inbox scope: nothing from an inbox the caller cannot see.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addUser } from './access-fixtures.ts';

describeEachStore('conversation search', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });
  const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((c) => c.id);

  it('finds conversations by subject, message or note text (word prefixes, any case), contact name or email', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const invoice = await addConversation(deps, acct.account, acct.inbox.id, 'Invoice 20417 is wrong', { contactEmail: 'marta.kowalski@example.org' });
    const shipping = await addConversation(deps, acct.account, acct.inbox.id, 'Where is my parcel?');
    expect((await owner.post(`/conversations/${shipping.id}/messages`, { body: 'Checked with the Warehouse: dispatched Tuesday.', kind: 'note' })).status).toBe(201);
    expect((await owner.post(`/conversations/${shipping.id}/close`)).status).toBe(200);

    expect(ids(await owner.get('/search?q=invoice'))).toEqual([invoice.id]);
    expect(ids(await owner.get('/search?q=INV%20204'))).toEqual([invoice.id]);
    const byNote = await owner.get('/search?q=warehouse');
    expect(ids(byNote)).toEqual([shipping.id]);
    // The words around the match, from the note; none when only the contact matched.
    expect(byNote.body.items[0].snippet).toBe('Checked with the Warehouse: dispatched Tuesday.');
    const byContact = await owner.get('/search?q=kowalski');
    expect(ids(byContact)).toEqual([invoice.id]);
    expect(byContact.body.items[0].snippet).toBeNull();
    expect(ids(await owner.get(`/search?q=${encodeURIComponent('marta.kowalski@example')}`))).toEqual([invoice.id]);
    expect(ids(await owner.get(`/search?q=${encodeURIComponent('marta@exa')}`))).toEqual([invoice.id]);
    // A contact's new name is found at once (the index changes in the same transaction).
    await deps.store.db.updateTable('contacts').set({ name: 'Marta Nowak-Lis' }).where('id', '=', invoice.contact_id!).execute();
    expect(ids(await owner.get('/search?q=nowak'))).toEqual([invoice.id]);
    // Every word must match; activity lines ("… closed this conversation") are not searched.
    expect(ids(await owner.get('/search?q=invoice%20warehouse'))).toEqual([]);
    expect(ids(await owner.get('/search?q=closed'))).toEqual([]);
    expect(ids(await owner.get('/search?q=hello')).sort()).toEqual([invoice.id, shipping.id].sort());
    // "#n" is the conversation numbered n, not the word n ("Invoice 20417" is not #20417).
    const numbered = await deps.store.db.selectFrom('conversations').select('number').where('id', '=', shipping.id).executeTakeFirstOrThrow();
    expect(ids(await owner.get(`/search?q=${encodeURIComponent(`#${numbered.number}`)}`))).toEqual([shipping.id]);
    expect(ids(await owner.get(`/search?q=${encodeURIComponent('#20417')}`))).toEqual([]);
    expect(ids(await owner.get('/search?q=20417'))).toEqual([invoice.id]);
  });

  it('pages newest activity first with the list’s cursor scheme; rejects an empty query', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await addConversation(deps, acct.account, acct.inbox.id, `Warranty claim ${i}`));
    const seen: string[] = [];
    let url = '/search?q=warranty&limit=2';
    for (;;) {
      const page = await owner.get(url);
      expect(page.status).toBe(200);
      seen.push(...ids(page));
      if (!page.body.nextCursor) break;
      url = `/search?q=warranty&limit=2&cursor=${page.body.nextCursor}`;
    }
    const list = ids(await owner.get('/conversations?limit=50'));
    expect(seen).toEqual(list);
    expect(seen).toHaveLength(5);
    const empty = await owner.get('/search?q=%20');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'validation_failed', field: 'q' });
    expect((await owner.get('/api/openapi.json')).body.paths['/api/v1/search'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['q', 'limit', 'cursor']));
  });

  it('never finds, counts or shows conversations from an inbox the caller cannot see', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const member = await addUser(deps, acct.account, { role: 'agent' });
    const outsider = await addUser(deps, acct.account, { role: 'agent' });
    const admin = await addUser(deps, acct.account, { role: 'admin' });
    const owner = apiClient(app, acct.token);
    const secret = (await owner.post('/inboxes', { name: 'Legal', access: 'specific', userIds: [member.user.id], teamIds: [] })).body.id as string;
    const hidden = await addConversation(deps, acct.account, secret, 'Subpoena about account 5521', { contactEmail: 'counsel@lawfirm.example' });
    const open = await addConversation(deps, acct.account, acct.inbox.id, 'Subpoena question from a customer');

    expect(ids(await apiClient(app, member.token).get('/search?q=subpoena')).sort()).toEqual([hidden.id, open.id].sort());
    expect(ids(await apiClient(app, admin.token).get('/search?q=subpoena')).sort()).toEqual([hidden.id, open.id].sort()); // admins view every inbox
    const out = apiClient(app, outsider.token);
    expect(ids(await out.get('/search?q=subpoena'))).toEqual([open.id]);
    expect(ids(await out.get('/search?q=5521'))).toEqual([]);
    expect(ids(await out.get('/search?q=lawfirm'))).toEqual([]);

    // Access follows at once: given access, the outsider finds it; the move and the new note are indexed.
    expect((await owner.put(`/inboxes/${secret}/access`, { access: 'specific', userIds: [member.user.id, outsider.user.id], teamIds: [] })).status).toBe(200);
    expect(ids(await out.get('/search?q=5521'))).toEqual([hidden.id]);
    expect((await apiClient(app, member.token).post(`/conversations/${hidden.id}/messages`, { body: 'Forwarded to outside counsel Brennan', kind: 'note' })).status).toBe(201);
    expect((await apiClient(app, member.token).post(`/conversations/${hidden.id}/move`, { inboxId: acct.inbox.id })).status).toBe(200);
    expect(ids(await apiClient(app, member.token).get('/search?q=brennan'))).toEqual([hidden.id]);
    // Restricting the inbox it moved to takes it out of the outsider's results again.
    expect((await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'specific', userIds: [member.user.id], teamIds: [] })).status).toBe(200);
    expect(ids(await out.get('/search?q=brennan'))).toEqual([]);
    expect(ids(await out.get('/search?q=subpoena'))).toEqual([]);
  });
});
