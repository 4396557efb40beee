// Seats (issue 5 item 3) through the API on SQLite and PostgreSQL: free users with access can
// read, reply and assign unassigned conversations by hand; they cannot take over one that is
// assigned; automatic assignment never names them (a free user as an automation target is
// refused with a clear error); without access a free seat sees nothing.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addUser } from './access-fixtures.ts';

describeEachStore('seats', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('a free seat with access reads, replies and assigns unassigned conversations, but cannot reassign', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Fay' });
    const paid = await addUser(deps, acct.account, { role: 'agent', seat: 'paid', name: 'Pat' });
    const api = apiClient(app, free.token);
    const conv = await addConversation(deps, acct.account, acct.inbox.id, 'Where is my parcel?', { contactEmail: 'buyer@customer.example' });

    expect((await api.get(`/conversations/${conv.id}`)).status).toBe(200);
    const reply = await api.post(`/conversations/${conv.id}/messages`, { body: 'Let me check for you.' });
    expect(reply.status).toBe(201);
    const note = await api.post(`/conversations/${conv.id}/messages`, { body: 'Asked the warehouse', kind: 'note' });
    expect(note.status).toBe(201);

    // Unassigned: a free seat may assign it, to themselves or to a teammate.
    const mine = await api.post(`/conversations/${conv.id}/assign`, { assigneeId: free.user.id });
    expect(mine.status).toBe(200);
    expect((await api.get(`/conversations/${conv.id}`)).body.assigneeId).toBe(free.user.id);

    // Assigned to someone else: a free seat cannot take it over or move it on.
    const other = await addConversation(deps, acct.account, acct.inbox.id, 'Invoice');
    expect((await apiClient(app, paid.token).post(`/conversations/${other.id}/assign`, { assigneeId: paid.user.id })).status).toBe(200);
    const refused = await api.post(`/conversations/${other.id}/assign`, { assigneeId: free.user.id });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toMatch(/free seat/i);
    expect((await api.get(`/conversations/${other.id}`)).body.assigneeId).toBe(paid.user.id);

    // A paid seat may hand a conversation to a free user by hand.
    expect((await apiClient(app, paid.token).post(`/conversations/${other.id}/assign`, { assigneeId: free.user.id })).status).toBe(200);
  });

  it('refuses a free seat as an automatic assignment target, naming the user', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Fay' });
    const paid = await addUser(deps, acct.account, { role: 'agent', seat: 'paid', name: 'Pat' });
    const owner = apiClient(app, acct.token);
    const res = await owner.put(`/inboxes/${acct.inbox.id}/automation`, { autoAssign: true, assignTo: 'specific', targetUserIds: [paid.user.id, free.user.id] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.field).toBe('targetUserIds.1');
    expect(res.body.error.message).toContain(free.user.email);
    const ok = await owner.put(`/inboxes/${acct.inbox.id}/automation`, { autoAssign: true, assignTo: 'specific', targetUserIds: [paid.user.id] });
    expect(ok.status).toBe(200);
  });

  it('a free seat without access to a restricted inbox sees nothing of it', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free' });
    const owner = apiClient(app, acct.token);
    expect((await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'specific', userIds: [acct.owner.id] })).status).toBe(200);
    const conv = await addConversation(deps, acct.account, acct.inbox.id);
    const api = apiClient(app, free.token);
    expect((await api.get(`/conversations/${conv.id}`)).status).toBe(404);
    expect((await api.post(`/conversations/${conv.id}/assign`, { assigneeId: free.user.id })).status).toBe(404);
    expect((await api.get('/conversations')).body.items).toEqual([]);
    expect((await api.get('/inboxes')).body.items).toEqual([]);
  });
});
