// The agents' socket on SQLite and PostgreSQL: committed events arrive in order with their seq,
// a user never receives events of an inbox they cannot see, a reconnect from the last seq misses
// nothing and repeats nothing, and the handshake refuses anonymous or forged callers.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { openSocket, type SocketMessage } from './helpers/ws-client.ts';
import { buildApp } from '../src/server/http/app.ts';
import { createUser } from '../src/server/core/create-user.ts';
import { issueApiToken } from '../src/server/core/api-tokens.ts';
import { addConversation } from './access-fixtures.ts';
import type { Deps } from '../src/server/deps.ts';
import type { Role } from '../src/server/db/schema.ts';

async function addUser(deps: Deps, accountId: string, email: string, role: Role) {
  const user = await deps.run({ kind: 'system', accountId, reason: 'test' }, (ctx) =>
    createUser(ctx, { accountId, email, password: 'password123', role, seat: 'paid', teamIds: [] }),
  );
  const { token } = await deps.run({ kind: 'system', accountId, reason: 'test' }, (ctx) => issueApiToken(ctx, { user, name: 'test' }));
  return { user, token };
}

const eventTypes = (ms: SocketMessage[]) => ms.map((m) => `${m.event!.type}:${m.event!.inboxId}`);

describeEachStore('agents socket', (store) => {
  let app: FastifyInstance;
  let wsUrl: string;
  beforeAll(async () => {
    app = await buildApp(store().deps, { serveWebApp: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    wsUrl = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/ws`;
  });
  afterAll(async () => {
    await app.close();
  });

  it('pushes an event after its transaction commits, with its seq', async () => {
    const acct = await makeAccount(store().deps);
    const socket = await openSocket(wsUrl, { authorization: `Bearer ${acct.token}` });
    const subscribed = await socket.subscribe();
    expect((await apiClient(app, acct.token).patch(`/inboxes/${acct.inbox.id}`, { name: 'Support' })).status).toBe(200);
    const got = await socket.waitFor((m) => m.event?.type === 'inbox.updated', 'inbox.updated');
    expect(got.seq).toBe(subscribed.seq! + 1);
    expect(got.event).toMatchObject({ inboxId: acct.inbox.id, data: { inboxId: acct.inbox.id } });
    await socket.close();
  });

  it('never sends an agent the events of an inbox they have no access to; admins see them', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps, { plan: 'professional' });
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account.id, `agent@${acct.account.subdomain}.test`, 'agent');
    const admin = await addUser(deps, acct.account.id, `admin@${acct.account.subdomain}.test`, 'admin');
    const agentSocket = await openSocket(`${wsUrl}?token=${agent.token}`);
    const adminSocket = await openSocket(`${wsUrl}?token=${admin.token}`);
    await agentSocket.subscribe();
    await adminSocket.subscribe();
    const restricted = await owner.post('/inboxes', { name: 'Legal', access: 'specific', userIds: [acct.owner.id] });
    expect(restricted.status).toBe(201);
    await owner.patch(`/inboxes/${restricted.body.id}`, { name: 'Legal team' });
    await owner.patch(`/inboxes/${acct.inbox.id}`, { name: 'Support' });
    // The open inbox's rename comes after the restricted ones; once it has arrived, the agent has
    // been sent everything before it that they may see.
    await agentSocket.waitFor((m) => m.event?.type === 'inbox.updated' && m.event.inboxId === acct.inbox.id, 'open inbox event');
    expect(eventTypes(agentSocket.events())).toEqual([`inbox.updated:${acct.inbox.id}`]);
    await adminSocket.waitFor((m) => m.event?.inboxId === acct.inbox.id, 'open inbox event (admin)');
    expect(eventTypes(adminSocket.events())).toEqual([`inbox.created:${restricted.body.id}`, `inbox.updated:${restricted.body.id}`, `inbox.updated:${acct.inbox.id}`]);
    // Granting access takes effect on the next event, with no reconnect.
    await deps.store.db.insertInto('inbox_access_grants').values({ id: crypto.randomUUID(), inbox_id: restricted.body.id, user_id: agent.user.id, team_id: null }).execute();
    await owner.patch(`/inboxes/${restricted.body.id}`, { name: 'Legal & compliance' });
    await agentSocket.waitFor((m) => m.event?.inboxId === restricted.body.id, 'restricted inbox event after grant');
    await agentSocket.close();
    await adminSocket.close();
  });

  it('sends a notification to its recipient only, not to everyone who sees the inbox', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account.id, `bob@${acct.account.subdomain}.test`, 'agent');
    const ownerSocket = await openSocket(`${wsUrl}?token=${acct.token}`);
    const agentSocket = await openSocket(`${wsUrl}?token=${agent.token}`);
    await ownerSocket.subscribe();
    await agentSocket.subscribe();
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    expect((await owner.post(`/conversations/${c.id}/assign`, { assigneeId: agent.user.id })).status).toBe(200);
    await owner.patch(`/inboxes/${acct.inbox.id}`, { name: 'Support' });
    const notified = await agentSocket.waitFor((m) => m.event?.type === 'notification.created', 'the assignee’s notification');
    expect(notified.event!.data).toMatchObject({ userId: agent.user.id, kind: 'assigned', conversationId: c.id });
    // The owner saw the assignment and the rename after it, and no notification of Bob's.
    await ownerSocket.waitFor((m) => m.event?.type === 'inbox.updated', 'the rename');
    const ownerTypes = ownerSocket.events().map((m) => m.event!.type);
    expect(ownerTypes).toContain('conversation.updated');
    expect(ownerTypes).not.toContain('notification.created');
    await ownerSocket.close();
    await agentSocket.close();
  });

  it('resyncs from the last seq after a reconnect: nothing missed, nothing repeated', async () => {
    const acct = await makeAccount(store().deps);
    const owner = apiClient(app, acct.token);
    const first = await openSocket(wsUrl, { authorization: `Bearer ${acct.token}` });
    await first.subscribe(0);
    await owner.patch(`/inboxes/${acct.inbox.id}`, { name: 'One' });
    const seen = await first.waitFor((m) => m.event?.type === 'inbox.updated', 'first rename');
    await first.close();
    const allBefore = first.events().map((m) => m.seq!);
    for (const name of ['Two', 'Three', 'Four']) expect((await owner.patch(`/inboxes/${acct.inbox.id}`, { name })).status).toBe(200);
    await owner.post('/teams', { name: 'Night shift' });
    const second = await openSocket(wsUrl, { authorization: `Bearer ${acct.token}` });
    const subscribed = await second.subscribe(seen.seq);
    await second.waitFor((m) => m.event?.type === 'team.created', 'team.created');
    const resent = second.events();
    expect(resent.map((m) => m.seq)).toEqual([seen.seq! + 1, seen.seq! + 2, seen.seq! + 3, seen.seq! + 4]);
    expect(resent.map((m) => m.event!.type)).toEqual(['inbox.updated', 'inbox.updated', 'inbox.updated', 'team.created']);
    expect(subscribed.seq).toBe(seen.seq! + 4);
    // From 0, the whole journal of the account arrives once and in order, starting with account.created.
    expect(allBefore[0]).toBe(1);
    expect(first.events()[0]!.event!.type).toBe('account.created');
    await second.close();
  });

  it('refuses a handshake without valid credentials and answers bad messages with an error', async () => {
    const acct = await makeAccount(store().deps);
    await expect(openSocket(wsUrl)).rejects.toMatchObject({ status: 401 });
    await expect(openSocket(`${wsUrl}?token=prl_nope`)).rejects.toMatchObject({ status: 401 });
    await expect(openSocket(wsUrl, { authorization: 'Bearer prl_nope' })).rejects.toMatchObject({ status: 401 });
    const login = await apiClient(app).post('/auth/login', { email: acct.owner.email, password: acct.password });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    await expect(openSocket(wsUrl, { cookie, origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const viaCookie = await openSocket(wsUrl, { cookie, origin: new URL(wsUrl.replace('ws:', 'http:')).origin });
    viaCookie.send('not json');
    expect((await viaCookie.waitFor((m) => m.type === 'error', 'error')).error!.code).toBe('validation_failed');
    viaCookie.send({ type: 'subscribe', after: -1 });
    viaCookie.send({ type: 'subscribe', after: 0, extra: true });
    viaCookie.send({ type: 'ping' });
    await viaCookie.waitFor((m) => m.type === 'pong', 'pong');
    expect(viaCookie.messages.filter((m) => m.type === 'error')).toHaveLength(3);
    await viaCookie.subscribe(0);
    await viaCookie.waitFor((m) => m.event?.type === 'account.created', 'replay');
    // A plain HTTP GET is told to upgrade, in the API's error shape.
    const plain = await apiClient(app, acct.token).get('/ws');
    expect(plain.status).toBe(426);
    expect(plain.body.error.code).toBe('upgrade_required');
    // A revoked token cannot open a new socket.
    await store().deps.store.db.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', acct.owner.id).execute();
    await expect(openSocket(`${wsUrl}?token=${acct.token}`)).rejects.toMatchObject({ status: 401 });
    await viaCookie.close();
  });
});
