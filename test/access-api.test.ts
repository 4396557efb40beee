// Issue 5 items 1, 2, 4 on SQLite and PostgreSQL: the Access setting, deleting inboxes (their
// conversations move to the default inbox), the default inbox rule, and the audit log API.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addTeam, addUser } from './access-fixtures.ts';

describeEachStore('inbox access, deletion and audit log', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates an inbox for specific users and teams; outsiders get 404, admins view only', async () => {
    const acct = await makeAccount(store().deps);
    const deps = store().deps;
    const member = await addUser(deps, acct.account, { role: 'agent' });
    const teamMate = await addUser(deps, acct.account, { role: 'agent' });
    const outsider = await addUser(deps, acct.account, { role: 'agent' });
    const admin = await addUser(deps, acct.account, { role: 'admin' });
    const team = await addTeam(deps, acct.account, 'Sales', [teamMate.user.id]);
    const owner = apiClient(app, acct.token);
    const created = await owner.post('/inboxes', { name: 'Sales', access: 'specific', userIds: [member.user.id], teamIds: [team] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ access: 'specific', accessGrants: { userIds: [member.user.id], teamIds: [team] }, myAccess: 'view' });
    const inboxId = created.body.id as string;

    for (const who of [member, teamMate]) {
      const res = await apiClient(app, who.token).get(`/inboxes/${inboxId}`);
      expect(res.status).toBe(200);
      expect(res.body.myAccess).toBe('act');
    }
    expect((await apiClient(app, outsider.token).get(`/inboxes/${inboxId}`)).status).toBe(404);
    expect((await apiClient(app, outsider.token).get('/inboxes')).body.items.map((i: { id: string }) => i.id)).toEqual([acct.inbox.id]);
    expect((await apiClient(app, admin.token).get(`/inboxes/${inboxId}`)).body.myAccess).toBe('view');

    const conv = await addConversation(deps, acct.account, inboxId);
    expect((await apiClient(app, outsider.token).get(`/conversations/${conv.id}`)).status).toBe(404);
    expect((await apiClient(app, outsider.token).get(`/conversations/${conv.id}/messages`)).status).toBe(404);
    expect((await apiClient(app, outsider.token).get('/conversations')).body.items).toEqual([]);
    expect((await apiClient(app, outsider.token).get(`/conversations?inboxId=${inboxId}`)).body.items).toEqual([]);
    expect((await apiClient(app, member.token).get('/conversations')).body.items.map((c: { id: string }) => c.id)).toEqual([conv.id]);
    expect((await apiClient(app, admin.token).get(`/conversations/${conv.id}`)).status).toBe(200);
  });

  it('PUT /inboxes/{id}/access switches between everyone and specific, admins only, audited with from/to', async () => {
    const acct = await makeAccount(store().deps);
    const deps = store().deps;
    const agent = await addUser(deps, acct.account, { role: 'agent' });
    const other = await addUser(deps, acct.account, { role: 'agent' });
    const owner = apiClient(app, acct.token);
    const conv = await addConversation(deps, acct.account, acct.inbox.id);

    // Agents cannot change access.
    const denied = await apiClient(app, agent.token).put(`/inboxes/${acct.inbox.id}/access`, { access: 'specific', userIds: [agent.user.id] });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');

    const res = await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'specific', userIds: [agent.user.id, acct.owner.id] });
    expect(res.status).toBe(200);
    expect(res.body.access).toBe('specific');
    expect([...res.body.accessGrants.userIds].sort()).toEqual([agent.user.id, acct.owner.id].sort());
    expect(res.body.myAccess).toBe('act');
    expect((await apiClient(app, other.token).get(`/conversations/${conv.id}`)).status).toBe(404);
    expect((await apiClient(app, agent.token).get(`/conversations/${conv.id}`)).status).toBe(200);

    // "everyone" with names is a contradiction: refused, nothing written.
    const bad = await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'everyone', userIds: [agent.user.id] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    // Users from another account are refused.
    const elsewhere = await makeAccount(deps);
    const foreign = await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'specific', userIds: [elsewhere.owner.id] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.field).toBe('userIds');
    // Unknown fields are refused by the strict body.
    expect((await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'everyone', everyone: true })).status).toBe(400);

    const back = await owner.put(`/inboxes/${acct.inbox.id}/access`, { access: 'everyone' });
    expect(back.body).toMatchObject({ access: 'everyone', accessGrants: { userIds: [], teamIds: [] } });
    expect((await apiClient(app, other.token).get(`/conversations/${conv.id}`)).status).toBe(200);

    const log = await owner.get(`/audit-log?subjectId=${acct.inbox.id}`);
    expect(log.status).toBe(200);
    const [latest, first] = log.body.items;
    expect(latest).toMatchObject({ action: 'inbox.access_changed', subjectType: 'inbox', actor: { id: acct.owner.id } });
    expect(latest.changes.access).toEqual({ from: 'specific', to: 'everyone' });
    expect(first.changes.access).toEqual({ from: 'everyone', to: 'specific' });
    expect(first.changes.userIds.to).toEqual([agent.user.id, acct.owner.id].sort());
    expect(latest.changes.userIds.from).toEqual([agent.user.id, acct.owner.id].sort());
  });

  it('deletes a non-default inbox, moving its conversations and messages to the default inbox', async () => {
    const acct = await makeAccount(store().deps);
    const deps = store().deps;
    const owner = apiClient(app, acct.token);
    const sales = (await owner.post('/inboxes', { name: 'Sales' })).body;
    const a = await addConversation(deps, acct.account, sales.id, 'A');
    const b = await addConversation(deps, acct.account, sales.id, 'B');
    // The same mail (Message-ID and content hash) already in the default inbox must not collide.
    const dup = await deps.store.db.selectFrom('messages').selectAll().where('conversation_id', '=', a.id).executeTakeFirstOrThrow();
    const kept = await addConversation(deps, acct.account, acct.inbox.id, 'Kept');
    await deps.store.db.updateTable('messages').set({ message_id: dup.message_id, content_hash: dup.content_hash }).where('conversation_id', '=', kept.id).execute();

    const agent = await addUser(deps, acct.account, { role: 'agent' });
    expect((await apiClient(app, agent.token).delete(`/inboxes/${sales.id}`)).status).toBe(403);

    const res = await owner.delete(`/inboxes/${sales.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ inboxId: sales.id, movedTo: acct.inbox.id, movedConversations: 2 });
    expect((await owner.get(`/inboxes/${sales.id}`)).status).toBe(404);
    for (const c of [a, b]) {
      const moved = await owner.get(`/conversations/${c.id}`);
      expect(moved.status).toBe(200);
      expect(moved.body.inboxId).toBe(acct.inbox.id);
      expect(moved.body.channelId).toBe(acct.channel.id);
      expect((await owner.get(`/conversations/${c.id}/messages`)).body.items).toHaveLength(1);
    }
    const msgs = await deps.store.db.selectFrom('messages').select(['inbox_id']).where('conversation_id', 'in', [a.id, b.id]).execute();
    expect(msgs.every((m) => m.inbox_id === acct.inbox.id)).toBe(true);
    // Its addresses no longer route anywhere.
    const addr = await deps.store.db.selectFrom('channel_addresses').select('address').where('address', '=', sales.channels[0].email.inboundAddress).executeTakeFirst();
    expect(addr).toBeUndefined();
    const log = await owner.get(`/audit-log?subjectId=${sales.id}`);
    expect(log.body.items[0]).toMatchObject({ action: 'inbox.deleted', changes: { name: { from: 'Sales', to: null }, movedConversations: { from: 0, to: 2 } } });
  });

  it('refuses to delete the default inbox and keeps exactly one default', async () => {
    const acct = await makeAccount(store().deps);
    const owner = apiClient(app, acct.token);
    const res = await owner.delete(`/inboxes/${acct.inbox.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(res.body.error.message).toMatch(/default inbox cannot be deleted/);
    const defaults = await store().deps.store.db.selectFrom('inboxes').select('id').where('account_id', '=', acct.account.id).where('is_default', '=', 1).execute();
    expect(defaults).toHaveLength(1);
    // The store itself refuses a second default.
    await expect(
      store().deps.store.db.insertInto('inboxes').values({ id: crypto.randomUUID(), account_id: acct.account.id, name: 'Second', is_default: 1, access: 'everyone', created_at: new Date().toISOString() }).execute(),
    ).rejects.toThrow();
    expect((await owner.delete(`/inboxes/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('lists the audit log newest first with keyset pages, for admins only', async () => {
    const acct = await makeAccount(store().deps);
    const deps = store().deps;
    const owner = apiClient(app, acct.token);
    for (let i = 0; i < 7; i++) expect((await owner.patch(`/inboxes/${acct.inbox.id}`, { name: `Support ${i}` })).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string; action: string; changes: { name: { from: string; to: string } } }>; nextCursor: string | null } } = await owner.get(`/audit-log?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.body.items) if (e.action === 'inbox.renamed') seen.push(e.changes.name.to);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `Support ${i}`));
    const agent = await addUser(deps, acct.account, { role: 'agent' });
    const denied = await apiClient(app, agent.token).get('/audit-log');
    expect(denied.status).toBe(403);
    // Another account's entries never show.
    const other = await makeAccount(deps);
    expect((await apiClient(app, other.token).get(`/audit-log?subjectId=${acct.inbox.id}`)).body.items).toEqual([]);
    expect((await owner.get('/audit-log?cursor=nonsense')).status).toBe(400);
  });

  it('reads every audited change as {from, to}: creations, user and team changes, channel settings', async () => {
    const acct = await makeAccount(store().deps);
    const owner = apiClient(app, acct.token);
    const user = (await owner.post('/users', { email: `zed@${acct.account.subdomain}.test`, role: 'agent', seat: 'free' })).body;
    const team = (await owner.post('/teams', { name: 'Billing', memberIds: [] })).body;
    expect((await owner.patch(`/users/${user.id}`, { seat: 'paid', teamIds: [team.id] })).status).toBe(200);
    expect((await owner.patch(`/teams/${team.id}`, { name: 'Invoices' })).status).toBe(200);
    expect((await owner.patch(`/channels/${acct.channel.id}`, { enabled: false })).status).toBe(200);
    const inbox = (await owner.post('/inboxes', { name: 'VIP', access: 'specific', userIds: [user.id], teamIds: [team.id] })).body;
    const items: Array<{ action: string; subjectId: string; actor: { id: string }; changes: Record<string, { from: unknown; to: unknown }> }> = (await owner.get('/audit-log?limit=20')).body.items;
    const find = (action: string, subjectId: string) => items.find((e) => e.action === action && e.subjectId === subjectId)!;
    expect(find('user.created', user.id).changes).toMatchObject({ email: { from: null, to: `zed@${acct.account.subdomain}.test` }, seat: { from: null, to: 'free' } });
    expect(find('user.updated', user.id).changes).toEqual({ seat: { from: 'free', to: 'paid' }, teamIds: { from: [], to: [team.id] } });
    expect(find('team.updated', team.id).changes).toEqual({ name: { from: 'Billing', to: 'Invoices' } });
    expect(find('channel.updated', acct.channel.id).changes).toEqual({ enabled: { from: true, to: false } });
    expect(find('inbox.created', inbox.id).changes).toEqual({
      name: { from: null, to: 'VIP' },
      access: { from: null, to: 'specific' },
      userIds: { from: [], to: [user.id] },
      teamIds: { from: [], to: [team.id] },
    });
    expect(items.every((e) => e.actor.id === acct.owner.id)).toBe(true);
  });
});
