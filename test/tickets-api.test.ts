// Tickets and pipelines on SQLite and PostgreSQL: "Create ticket" from a conversation (numbers
// from the account counter), the list with its filters and keyset pages, changing stage, owner
// and priority (activity lines), access (hidden inboxes' tickets are invisible, view-only admins
// cannot change them), and pipelines with ordered stages (admins, audited).
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addUser } from './access-fixtures.ts';

describeEachStore('tickets and pipelines', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates tickets from conversations with defaults, one per conversation, numbered per account', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Tom' });
    const c1 = await addConversation(deps, acct.account, acct.inbox.id, 'Cannot log in');
    const c2 = await addConversation(deps, acct.account, acct.inbox.id, 'Billing');
    await owner.post(`/conversations/${c2.id}/assign`, { assigneeId: agent.user.id });
    const pipeline = (await owner.get('/pipelines')).body.items[0];

    const t1 = await owner.post('/tickets', { conversationId: c1.id });
    expect(t1.status).toBe(201);
    expect(t1.body).toMatchObject({ number: 1, conversationId: c1.id, pipelineId: pipeline.id, stageId: pipeline.stages[0].id, stageName: 'New', ownerId: acct.owner.id, subject: 'Cannot log in', priority: null });
    const t2 = await owner.post('/tickets', { conversationId: c2.id, priority: 'high', subject: 'Refund for March' });
    expect(t2.body).toMatchObject({ number: 2, ownerId: agent.user.id, priority: 'high', subject: 'Refund for March' });
    const dup = await owner.post('/tickets', { conversationId: c1.id });
    expect(dup.status).toBe(400);
    expect(dup.body.error.message).toContain('#1');
    const thread = await owner.get(`/conversations/${c1.id}/messages`);
    expect(thread.body.items.map((m: { activity: { type: string } | null }) => m.activity?.type).filter(Boolean)).toEqual(['ticket_created']);
    const other = await makeAccount(deps);
    const c3 = await addConversation(deps, other.account, other.inbox.id);
    expect((await apiClient(app, other.token).post('/tickets', { conversationId: c3.id })).body.number).toBe(1);
    // Another account's conversation is not found.
    expect((await owner.post('/tickets', { conversationId: c3.id })).status).toBe(404);
  });

  it('lists tickets filtered by pipeline, stage and owner, newest first, in keyset pages', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Uma' });
    const support = (await owner.get('/pipelines')).body.items[0];
    const sales = (await owner.post('/pipelines', { name: 'Sales', stages: [{ name: 'Lead' }, { name: 'Won', isClosed: true }] })).body;
    const made: { id: string; number: number }[] = [];
    for (let i = 0; i < 7; i++) {
      const c = await addConversation(deps, acct.account, acct.inbox.id, `Issue ${i}`);
      const body = i % 2 === 0 ? { conversationId: c.id } : { conversationId: c.id, pipelineId: sales.id, stageId: sales.stages[1].id, ownerId: agent.user.id };
      made.push((await owner.post('/tickets', body)).body);
    }
    const all: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { number: number }[]; nextCursor: string | null } } = await owner.get(`/tickets?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...page.body.items.map((t) => t.number));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(all).toEqual([7, 6, 5, 4, 3, 2, 1]);
    const numbers = async (q: string) => (await owner.get(`/tickets?${q}`)).body.items.map((t: { number: number }) => t.number);
    expect(await numbers(`pipelineId=${sales.id}`)).toEqual([6, 4, 2]);
    expect(await numbers(`pipelineId=${support.id}&stageId=${support.stages[0].id}`)).toEqual([7, 5, 3, 1]);
    expect(await numbers(`stageId=${sales.stages[0].id}`)).toEqual([]);
    expect(await numbers(`ownerId=${agent.user.id}`)).toEqual([6, 4, 2]);
    expect(await numbers('ownerId=me')).toEqual([7, 5, 3, 1]);
    expect(await numbers('ownerId=none')).toEqual([]);
    expect((await owner.get('/tickets?ownerId=nobody')).status).toBe(400);
  });

  it('changes stage, owner and priority; refuses a stage of another pipeline; records activity', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Vic' });
    const support = (await owner.get('/pipelines')).body.items[0];
    const sales = (await owner.post('/pipelines', { name: 'Sales', stages: [{ name: 'Lead' }] })).body;
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    const t = (await owner.post('/tickets', { conversationId: c.id })).body;
    const patched = await apiClient(app, agent.token).patch(`/tickets/${t.id}`, { stageId: support.stages[1].id, ownerId: agent.user.id, priority: 'urgent' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ stageId: support.stages[1].id, stageName: 'Waiting on contact', ownerId: agent.user.id, priority: 'urgent' });
    expect((await owner.get(`/tickets/${t.id}`)).body.priority).toBe('urgent');
    const wrong = await owner.patch(`/tickets/${t.id}`, { stageId: sales.stages[0].id });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('stageId');
    expect((await owner.patch(`/tickets/${t.id}`, { priority: 'whenever' })).status).toBe(400);
    const moved = await owner.patch(`/tickets/${t.id}`, { pipelineId: sales.id, stageId: sales.stages[0].id, priority: null });
    expect(moved.body).toMatchObject({ pipelineId: sales.id, stageName: 'Lead', priority: null });
    const lines = (await owner.get(`/conversations/${c.id}/messages`)).body.items.filter((m: { kind: string }) => m.kind === 'activity');
    expect(lines.map((m: { activity: { type: string } }) => m.activity.type)).toEqual(['ticket_created', 'ticket_updated', 'ticket_updated']);
    expect(lines[1].text).toContain('Waiting on contact');
  });

  it('hides tickets of inboxes the caller cannot see and refuses changes by view-only admins', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Wes' });
    const admin = await addUser(deps, acct.account, { role: 'admin', name: 'Ari' });
    const vip = await owner.post('/inboxes', { name: 'VIP', access: 'specific', userIds: [acct.owner.id] });
    const open = await addConversation(deps, acct.account, acct.inbox.id);
    const hidden = await addConversation(deps, acct.account, vip.body.id);
    const tOpen = (await owner.post('/tickets', { conversationId: open.id })).body;
    const tHidden = (await owner.post('/tickets', { conversationId: hidden.id })).body;
    const byAgent = apiClient(app, agent.token);
    expect((await byAgent.get('/tickets')).body.items.map((t: { id: string }) => t.id)).toEqual([tOpen.id]);
    expect((await byAgent.get(`/tickets/${tHidden.id}`)).status).toBe(404);
    expect((await byAgent.patch(`/tickets/${tHidden.id}`, { priority: 'low' })).status).toBe(404);
    expect((await byAgent.post('/tickets', { conversationId: hidden.id })).status).toBe(404);
    const byAdmin = apiClient(app, admin.token);
    expect((await byAdmin.get('/tickets')).body.items).toHaveLength(2);
    const vo = await byAdmin.patch(`/tickets/${tHidden.id}`, { priority: 'low' });
    expect(vo.status).toBe(403);
    expect(vo.body.error.code).toBe('view_only');
  });

  it('manages pipelines and ordered stages (admins only, audited)', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Ola' });
    const created = await owner.post('/pipelines', { name: 'Onboarding', stages: [{ name: 'Kick-off' }, { name: 'Training' }, { name: 'Done', isClosed: true }] });
    expect(created.status).toBe(201);
    expect(created.body.stages.map((s: { name: string; position: number }) => [s.name, s.position])).toEqual([['Kick-off', 0], ['Training', 1], ['Done', 2]]);
    const pid = created.body.id;
    expect((await owner.post('/pipelines', { name: 'Onboarding', stages: [{ name: 'A' }] })).status).toBe(409);
    expect((await owner.post('/pipelines', { name: 'Dupes', stages: [{ name: 'A' }, { name: 'a' }] })).status).toBe(400);
    expect((await owner.patch(`/pipelines/${pid}`, { name: 'Customer onboarding' })).body.name).toBe('Customer onboarding');
    const added = await owner.post(`/pipelines/${pid}/stages`, { name: 'Setup', position: 1 });
    expect(added.body.stages.map((s: { name: string }) => s.name)).toEqual(['Kick-off', 'Setup', 'Training', 'Done']);
    const ids = added.body.stages.map((s: { id: string }) => s.id);
    const reordered = await owner.put(`/pipelines/${pid}/stages/order`, { stageIds: [ids[2], ids[0], ids[1], ids[3]] });
    expect(reordered.body.stages.map((s: { name: string }) => s.name)).toEqual(['Training', 'Kick-off', 'Setup', 'Done']);
    expect((await owner.put(`/pipelines/${pid}/stages/order`, { stageIds: [ids[0], ids[1]] })).status).toBe(400);
    const renamed = await owner.patch(`/pipelines/${pid}/stages/${ids[3]}`, { name: 'Live' });
    expect(renamed.body.stages[3]).toMatchObject({ name: 'Live', isClosed: true });
    const byAgent = apiClient(app, agent.token);
    expect((await byAgent.get('/pipelines')).body.items).toHaveLength(2);
    expect((await byAgent.post('/pipelines', { name: 'X', stages: [{ name: 'Y' }] })).status).toBe(403);
    expect((await byAgent.put(`/pipelines/${pid}/stages/order`, { stageIds: ids })).status).toBe(403);
    const audit = (await owner.get(`/audit-log?subjectId=${pid}`)).body.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['pipeline.created', 'pipeline.renamed', 'pipeline.stage_added', 'pipeline.stages_reordered']));
    // Another account's pipeline is not found.
    const other = await makeAccount(deps);
    expect((await apiClient(app, other.token).patch(`/pipelines/${pid}`, { name: 'Mine' })).status).toBe(404);
  });
});
