// Users, teams and API tokens through the API on SQLite and PostgreSQL: who may change what,
// token create/list/revoke (a revoked token stops working at once), and the audit trail.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';

describeEachStore('users, teams and tokens API', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  async function agentOf(ownerToken: string, email: string, role: 'agent' | 'admin' = 'agent') {
    const owner = apiClient(app, ownerToken);
    const user = await owner.post('/users', { email, password: 'password123', role, seat: 'paid' });
    expect(user.status).toBe(201);
    const token = await store().deps.store.db.selectFrom('users').select('id').where('id', '=', user.body.id).executeTakeFirstOrThrow();
    expect(token.id).toBe(user.body.id);
    const login = await apiClient(app).post('/auth/login', { email, password: 'password123' });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const created = await apiClient(app).post('/tokens', { name: 'mine' }, { cookie, 'x-csrf-token': login.body.csrfToken });
    expect(created.status).toBe(201);
    return { id: user.body.id as string, api: apiClient(app, created.body.token as string), tokenId: created.body.id as string };
  }

  it('lets admins change role, seat, teams and names, and audits each change', async () => {
    const acct = await makeAccount(store().deps);
    const owner = apiClient(app, acct.token);
    const team = await owner.post('/teams', { name: 'Tier 1' });
    const agent = await agentOf(acct.token, `a@${acct.account.subdomain}.test`);
    const res = await owner.patch(`/users/${agent.id}`, { role: 'admin', seat: 'free', teamIds: [team.body.id], firstName: 'Ada', lastName: 'Lovelace' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'admin', seat: 'free', teamIds: [team.body.id], fullName: 'Ada Lovelace' });
    expect((await owner.get(`/users/${agent.id}`)).body.role).toBe('admin');
    expect((await owner.get(`/teams/${team.body.id}`)).body.memberIds).toEqual([agent.id]);
    const audit = await store().deps.store.db.selectFrom('audit_log').selectAll().where('subject_id', '=', agent.id).where('action', '=', 'user.updated').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.changes)).toMatchObject({ role: { from: 'agent', to: 'admin' }, seat: { from: 'paid', to: 'free' } });
  });

  it('lets a user change only their own names and availability', async () => {
    const acct = await makeAccount(store().deps);
    const agent = await agentOf(acct.token, `b@${acct.account.subdomain}.test`);
    const me = await agent.api.patch('/me', { firstName: 'Grace', availability: 'away' });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ firstName: 'Grace', availability: 'away' });
    const self = await agent.api.patch(`/users/${agent.id}`, { lastName: 'Hopper', availability: 'available' });
    expect(self.body).toMatchObject({ lastName: 'Hopper', availability: 'available' });
    const promote = await agent.api.patch(`/users/${agent.id}`, { role: 'admin' });
    expect(promote.status).toBe(403);
    expect(promote.body.error.code).toBe('forbidden');
    expect((await agent.api.patch(`/users/${acct.owner.id}`, { firstName: 'Mallory' })).status).toBe(403);
    expect((await agent.api.patch('/me', { role: 'admin' })).status).toBe(400);
    expect((await apiClient(app, acct.token).get(`/users/${agent.id}`)).body.role).toBe('agent');
  });

  it('keeps super admins in the hands of super admins', async () => {
    const acct = await makeAccount(store().deps);
    const admin = await agentOf(acct.token, `c@${acct.account.subdomain}.test`, 'admin');
    expect((await admin.api.patch(`/users/${admin.id}`, { role: 'super_admin' })).status).toBe(403);
    expect((await admin.api.patch(`/users/${acct.owner.id}`, { role: 'agent' })).status).toBe(403);
    const lastOwner = await apiClient(app, acct.token).patch(`/users/${acct.owner.id}`, { role: 'admin' });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.error.field).toBe('role');
  });

  it('lets admins rename teams and set members; agents cannot', async () => {
    const acct = await makeAccount(store().deps);
    const owner = apiClient(app, acct.token);
    const agent = await agentOf(acct.token, `d@${acct.account.subdomain}.test`);
    const team = await owner.post('/teams', { name: 'Billing' });
    await owner.post('/teams', { name: 'Sales' });
    const renamed = await owner.patch(`/teams/${team.body.id}`, { name: 'Billing EMEA', memberIds: [agent.id, acct.owner.id] });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Billing EMEA');
    expect([...renamed.body.memberIds].sort()).toEqual([agent.id, acct.owner.id].sort());
    expect((await owner.patch(`/teams/${team.body.id}`, { name: 'Sales' })).body.error.code).toBe('conflict');
    expect((await owner.patch(`/teams/${team.body.id}`, { memberIds: ['0190a0a0-0000-7000-8000-000000000000'] })).status).toBe(400);
    expect((await agent.api.patch(`/teams/${team.body.id}`, { name: 'Mine' })).status).toBe(403);
    expect((await owner.get(`/teams/${team.body.id}`)).body).toMatchObject({ name: 'Billing EMEA' });
  });

  it('creates, lists and revokes API tokens; a revoked token gets 401 at once', async () => {
    const acct = await makeAccount(store().deps);
    const owner = apiClient(app, acct.token);
    const created = await owner.post('/tokens', { name: 'Zapier' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^prl_/);
    const fresh = apiClient(app, created.body.token);
    expect((await fresh.get('/me')).body.user.id).toBe(acct.owner.id);
    const list = await owner.get('/tokens');
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(['Zapier', 'Owner token']);
    expect(list.body.items.every((t: { lastUsedAt: string | null }) => t.lastUsedAt !== null)).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect((await owner.delete(`/tokens/${created.body.id}`)).status).toBe(204);
    const after = await fresh.get('/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
    expect((await owner.get('/tokens')).body.items[0].revokedAt).not.toBeNull();
    const actions = await store().deps.store.db.selectFrom('audit_log').select('action').where('subject_id', '=', created.body.id).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['api_token.created', 'api_token.revoked']);
  });

  it('keeps tokens to their owner unless the caller is an admin', async () => {
    const acct = await makeAccount(store().deps);
    const agent = await agentOf(acct.token, `e@${acct.account.subdomain}.test`);
    const other = await makeAccount(store().deps);
    expect((await agent.api.delete(`/tokens/${(await apiClient(app, acct.token).get('/tokens')).body.items[0].id}`)).status).toBe(403);
    expect((await agent.api.get(`/tokens?userId=${acct.owner.id}`)).status).toBe(403);
    expect((await apiClient(app, acct.token).get(`/tokens?userId=${agent.id}`)).body.items).toHaveLength(1);
    // Another account's admin cannot even see that the token exists.
    expect((await apiClient(app, other.token).delete(`/tokens/${agent.tokenId}`)).status).toBe(404);
    expect((await apiClient(app, acct.token).delete(`/tokens/${agent.tokenId}`)).status).toBe(204);
    expect((await agent.api.get('/me')).status).toBe(401);
  });
  it('requires the CSRF token for cookie-signed changes to users, teams and tokens', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app);
    const login = await api.post('/auth/login', { email: acct.owner.email, password: acct.password });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = { cookie, 'x-csrf-token': login.body.csrfToken as string };
    const team = await apiClient(app, acct.token).post('/teams', { name: 'Ops' });
    const tokens = await apiClient(app, acct.token).get('/tokens');
    const attempts = [
      () => api.patch('/me', { firstName: 'Eve' }, { cookie }),
      () => api.patch(`/users/${acct.owner.id}`, { seat: 'free' }, { cookie }),
      () => api.patch(`/teams/${team.body.id}`, { name: 'Evil' }, { cookie }),
      () => api.post('/tokens', { name: 'stolen' }, { cookie }),
      () => api.delete(`/tokens/${tokens.body.items[0].id}`, { cookie }),
    ];
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_failed');
    }
    expect((await apiClient(app, acct.token).get('/tokens')).body.items).toHaveLength(1);
    expect((await api.patch('/me', { firstName: 'Olive' }, csrf)).body.firstName).toBe('Olive');
    expect((await api.post('/tokens', { name: 'from the app' }, csrf)).status).toBe(201);
  });
});
