// Automatic assignment end to end on SQLite and PostgreSQL: the Automation settings API (admins,
// validation, audit), then real inbound email (mail/ingest.ts, the SMTP receiver's pipeline)
// creating conversations that routing assigns, that become tickets with the inbox's defaults,
// and, for "Contact owner" with the owner away, an email job to the owner.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import crypto from 'node:crypto';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addTeam, addUser } from './access-fixtures.ts';
import { sendIn } from './assignment-support.ts';

describeEachStore('automatic assignment', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('reads defaults, saves settings (admins only), refuses free seats by name, audits from/to', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const url = `/inboxes/${acct.inbox.id}/automation`;
    const defaults = await owner.get(url);
    expect(defaults.status).toBe(200);
    expect(defaults.body).toMatchObject({ autoAssign: false, assignTo: 'specific', availableOnly: true, targetUserIds: [], targetTeamIds: [], tickets: { enabled: false, ownerMode: 'assignee' } });

    const paid = await addUser(deps, acct.account, { role: 'agent', name: 'Paula' });
    const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Fred' });
    const team = await addTeam(deps, acct.account, 'Support', [paid.user.id, free.user.id]);

    const refused = await owner.put(url, { autoAssign: true, targetUserIds: [paid.user.id, free.user.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.field).toBe('targetUserIds.1');
    expect(refused.body.error.message).toContain(free.user.email);

    const agentTry = await apiClient(app, paid.token).put(url, { autoAssign: true });
    expect(agentTry.status).toBe(403);

    const saved = await owner.put(url, { autoAssign: true, targetUserIds: [paid.user.id], targetTeamIds: [team] });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ autoAssign: true, targetUserIds: [paid.user.id], targetTeamIds: [team] });
    expect((await owner.get(url)).body).toEqual(saved.body);

    const audit = await owner.get(`/audit-log?subjectId=${acct.inbox.id}`);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'inbox.automation_updated');
    expect(entry.changes).toMatchObject({ autoAssign: { from: false, to: true }, targetUserIds: { from: [], to: [paid.user.id] } });
  });

  it('refuses targets and ticket owners who cannot act in the inbox, naming who and why', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const sam = await addUser(deps, acct.account, { role: 'super_admin', name: 'Sam' });
    const alice = await addUser(deps, acct.account, { role: 'agent', name: 'Alice' });
    const outsiders = await addTeam(deps, acct.account, 'Outsiders', [sam.user.id]);
    const sales = await owner.post('/inboxes', { name: 'Sales', access: 'specific', userIds: [alice.user.id] });
    expect(sales.status).toBe(201);
    const url = `/inboxes/${sales.body.id}/automation`;

    // A super admin not granted the inbox can only view it: routing would skip him.
    const target = await owner.put(url, { autoAssign: true, targetUserIds: [alice.user.id, sam.user.id] });
    expect(target.status).toBe(400);
    expect(target.body.error).toMatchObject({ code: 'validation_failed', field: 'targetUserIds.1', message: `Sam (${sam.user.email}) cannot act in this inbox: add them in its Access settings first` });
    const team = await owner.put(url, { autoAssign: true, targetTeamIds: [outsiders] });
    expect(team.status).toBe(400);
    expect(team.body.error).toMatchObject({ field: 'targetTeamIds.0', message: 'No one in Outsiders could be assigned: it needs an active member with a paid seat who can act in this inbox' });
    const ticketOwner = await owner.put(url, { tickets: { enabled: true, ownerMode: 'user', ownerUserId: sam.user.id } });
    expect(ticketOwner.status).toBe(400);
    expect(ticketOwner.body.error).toMatchObject({ field: 'tickets.ownerUserId', message: 'The ticket owner cannot act in this inbox: add them in its Access settings first' });

    // Granted access through the team, both are accepted.
    expect((await owner.put(`/inboxes/${sales.body.id}/access`, { access: 'specific', userIds: [alice.user.id], teamIds: [outsiders] })).status).toBe(200);
    expect((await owner.put(url, { autoAssign: true, targetUserIds: [alice.user.id, sam.user.id], targetTeamIds: [outsiders], tickets: { enabled: true, ownerMode: 'user', ownerUserId: sam.user.id } })).status).toBe(200);
  });

  it('assigns incoming email to the paid, available target with the fewest open conversations', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const busy = await addUser(deps, acct.account, { role: 'agent', name: 'Busy' });
    const idle = await addUser(deps, acct.account, { role: 'agent', name: 'Idle' });
    const away = await addUser(deps, acct.account, { role: 'agent', name: 'Away' });
    const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Free' });
    await deps.store.db.updateTable('users').set({ availability: 'away' }).where('id', '=', away.user.id).execute();
    const team = await addTeam(deps, acct.account, 'Tier 1', [busy.user.id, idle.user.id, away.user.id, free.user.id]);
    // Busy already has an open conversation.
    const existing = await addConversation(deps, acct.account, acct.inbox.id);
    await owner.post(`/conversations/${existing.id}/assign`, { assigneeId: busy.user.id });

    expect((await owner.put(`/inboxes/${acct.inbox.id}/automation`, { autoAssign: true, targetTeamIds: [team] })).status).toBe(200);
    const first = await sendIn(deps, acct.email.inbound_address);
    const c1 = await owner.get(`/conversations/${first}`);
    expect(c1.body.assigneeId).toBe(idle.user.id);
    const thread = await owner.get(`/conversations/${first}/messages`);
    expect(thread.body.items.map((m: { kind: string }) => m.kind)).toEqual(['message', 'activity']);
    expect(thread.body.items[1].activity).toMatchObject({ type: 'assigned', assigneeId: idle.user.id, automatic: true });
    // Idle was notified in the app.
    const notes = await apiClient(app, idle.token).get('/notifications');
    expect(notes.body.items[0]).toMatchObject({ kind: 'assigned', conversationId: first });

    // Now Busy and Idle both have one open conversation; Busy was assigned earlier: idle longest.
    const second = await sendIn(deps, acct.email.inbound_address);
    expect((await owner.get(`/conversations/${second}`)).body.assigneeId).toBe(busy.user.id);

    // "Assign to available users only" off: Away (0 open) is eligible; Free never is.
    await owner.put(`/inboxes/${acct.inbox.id}/automation`, { availableOnly: false });
    const third = await sendIn(deps, acct.email.inbound_address);
    expect((await owner.get(`/conversations/${third}`)).body.assigneeId).toBe(away.user.id);
  });

  it('leaves conversations unassigned when off or when no target is eligible', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const away = await addUser(deps, acct.account, { role: 'agent', name: 'Away' });
    await deps.store.db.updateTable('users').set({ availability: 'away' }).where('id', '=', away.user.id).execute();
    const off = await sendIn(deps, acct.email.inbound_address);
    expect((await owner.get(`/conversations/${off}`)).body.assigneeId).toBeNull();
    await owner.put(`/inboxes/${acct.inbox.id}/automation`, { autoAssign: true, targetUserIds: [away.user.id] });
    const none = await sendIn(deps, acct.email.inbound_address);
    expect((await owner.get(`/conversations/${none}`)).body.assigneeId).toBeNull();
  });

  it('"Contact owner": assigns to the owner; when the owner is away, leaves it unassigned and emails the owner', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const rep = await addUser(deps, acct.account, { role: 'agent', name: 'Rep' });
    await owner.put(`/inboxes/${acct.inbox.id}/automation`, { autoAssign: true, assignTo: 'contact_owner' });
    const customer = `vip-${crypto.randomBytes(3).toString('hex')}@example.com`;
    const first = await sendIn(deps, acct.email.inbound_address, { from: customer });
    // No owner yet: unassigned.
    const c1 = await owner.get(`/conversations/${first}`);
    expect(c1.body.assigneeId).toBeNull();
    await deps.store.db.updateTable('contacts').set({ owner_id: rep.user.id }).where('id', '=', c1.body.contact.id).execute();

    const second = await sendIn(deps, acct.email.inbound_address, { from: customer, subject: 'Another question' });
    expect((await owner.get(`/conversations/${second}`)).body.assigneeId).toBe(rep.user.id);

    await deps.store.db.updateTable('users').set({ availability: 'away' }).where('id', '=', rep.user.id).execute();
    const third = await sendIn(deps, acct.email.inbound_address, { from: customer, subject: 'Third question', body: 'Are you there?' });
    expect((await owner.get(`/conversations/${third}`)).body.assigneeId).toBeNull();
    const jobs = await deps.store.db.selectFrom('jobs').select(['payload']).where('type', '=', 'notification_email').where('account_id', '=', acct.account.id).execute();
    const payloads = jobs.map((j) => JSON.parse(j.payload));
    expect(payloads).toContainEqual(expect.objectContaining({ kind: 'contact_owner_away', userId: rep.user.id, conversationId: third }));
  });

  it('makes a ticket for each new conversation when "Treat incoming conversations as support tickets" is on', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Tina' });
    const pipelines = await owner.get('/pipelines');
    const support = pipelines.body.items[0];
    expect(support.name).toBe('Support pipeline');
    expect(support.stages.map((s: { name: string }) => s.name)).toEqual(['New', 'Waiting on contact', 'Waiting on us', 'Closed']);
    const waitingOnUs = support.stages[2].id;
    const res = await owner.put(`/inboxes/${acct.inbox.id}/automation`, {
      autoAssign: true,
      targetUserIds: [agent.user.id],
      tickets: { enabled: true, pipelineId: support.id, stageId: waitingOnUs },
    });
    expect(res.status).toBe(200);
    const conv = await sendIn(deps, acct.email.inbound_address, { subject: 'Broken widget' });
    const tickets = await owner.get(`/tickets?conversationId=${conv}`);
    expect(tickets.body.items).toHaveLength(1);
    // Owner defaults to the conversation's assignee, chosen by routing just before.
    expect(tickets.body.items[0]).toMatchObject({ number: 1, pipelineId: support.id, stageId: waitingOnUs, stageName: 'Waiting on us', ownerId: agent.user.id, subject: 'Broken widget' });

    // A chosen ticket owner instead of the assignee.
    await owner.put(`/inboxes/${acct.inbox.id}/automation`, { tickets: { ownerMode: 'user', ownerUserId: acct.owner.id } });
    const conv2 = await sendIn(deps, acct.email.inbound_address, { subject: 'Second' });
    expect((await owner.get(`/tickets?conversationId=${conv2}`)).body.items[0]).toMatchObject({ number: 2, ownerId: acct.owner.id });
    // Off again: no ticket.
    await owner.put(`/inboxes/${acct.inbox.id}/automation`, { tickets: { enabled: false } });
    const conv3 = await sendIn(deps, acct.email.inbound_address, { subject: 'Third' });
    expect((await owner.get(`/tickets?conversationId=${conv3}`)).body.items).toHaveLength(0);
    // A stage from another pipeline is refused.
    const other = await owner.post('/pipelines', { name: 'Sales', stages: [{ name: 'Lead' }] });
    const bad = await owner.put(`/inboxes/${acct.inbox.id}/automation`, { tickets: { pipelineId: support.id, stageId: other.body.stages[0].id } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('tickets.stageId');
  });
});
