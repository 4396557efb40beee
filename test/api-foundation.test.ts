// The foundation's API on SQLite and PostgreSQL: sign-up, the default inbox and its addresses,
// rename, create with plan gating, auth failures, CSRF and bad input.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';

describeEachStore('foundation API', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  it('signs up an account with its default inbox, fallback email and forwarding address', async () => {
    const sub = `acme${Date.now().toString(36)}`;
    const res = await apiClient(app).post('/signup', { accountName: 'Acme', subdomain: sub, plan: 'starter', email: `o@${sub}.test`, password: 'password123' });
    expect(res.status).toBe(201);
    expect(res.body.account).toMatchObject({ subdomain: sub, plan: 'starter', mailDomain: `${sub}.parley.localhost` });
    expect(res.body.user).toMatchObject({ role: 'super_admin', seat: 'paid' });
    expect(res.body.inbox).toMatchObject({ isDefault: true, access: 'everyone', myAccess: 'act' });
    const email = res.body.inbox.channels[0].email;
    expect(email.isFallback).toBe(true);
    expect(email.inboundAddress).toBe(`inbox@${sub}.parley.localhost`);
    expect(email.forwardingAddress).toMatch(new RegExp(`^fwd-[0-9a-f]{12}@${sub}\\.parley\\.localhost$`));
    expect(String(res.headers['set-cookie'])).toMatch(/parley_session=.*HttpOnly; SameSite=Lax/);
  });

  it('gives free plans addresses under FREE_MAIL_DOMAIN', async () => {
    const acct = await makeAccount(store().deps, { plan: 'free' });
    expect(acct.email.inbound_address).toBe(`inbox@${acct.account.subdomain}.free.parley.localhost`);
  });

  it('refuses taken, invalid and reserved subdomains', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app);
    const base = { accountName: 'X', plan: 'free', password: 'password123' };
    expect((await api.post('/signup', { ...base, subdomain: acct.account.subdomain, email: 'x1@x.test' })).body.error.code).toBe('subdomain_taken');
    expect((await api.post('/signup', { ...base, subdomain: 'no_way', email: 'x2@x.test' })).body.error.code).toBe('subdomain_invalid');
    const reserved = await api.post('/signup', { ...base, subdomain: 'www', email: 'x3@x.test' });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.code).toBe('subdomain_reserved');
  });

  it('lists, gets and renames inboxes', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app, acct.token);
    const list = await api.get('/inboxes');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const renamed = await api.patch(`/inboxes/${acct.inbox.id}`, { name: 'Support' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Support');
    expect((await api.get(`/inboxes/${acct.inbox.id}`)).body.name).toBe('Support');
    const channels = await api.get(`/inboxes/${acct.inbox.id}/channels`);
    expect(channels.body.items[0].type).toBe('email');
    expect((await api.get(`/channels/${acct.channel.id}`)).body.email.inboundAddress).toBe(acct.email.inbound_address);
  });

  it('creates inboxes on Professional and refuses them on free and starter with plan_required', async () => {
    for (const plan of ['free', 'starter'] as const) {
      const acct = await makeAccount(store().deps, { plan });
      const res = await apiClient(app, acct.token).post('/inboxes', { name: 'Sales' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('plan_required');
    }
    const pro = await makeAccount(store().deps, { plan: 'professional' });
    const api = apiClient(app, pro.token);
    const created = await api.post('/inboxes', { name: 'Sales EMEA', access: 'everyone' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sales EMEA', isDefault: false, access: 'everyone' });
    expect(created.body.channels[0].email.inboundAddress).toBe(`sales-emea@${pro.account.subdomain}.parley.localhost`);
    expect((await api.get('/inboxes')).body.items).toHaveLength(2);

    // Names are unique in the account, ignoring case, on create and on rename.
    for (const clash of [await api.post('/inboxes', { name: 'sales emea' }), await api.patch(`/inboxes/${pro.inbox.id}`, { name: 'SALES EMEA' })]) {
      expect(clash.status).toBe(409);
      expect(clash.body.error).toEqual({ code: 'conflict', message: 'An inbox named "Sales EMEA" already exists; choose another name', field: 'name' });
    }
    expect((await api.patch(`/inboxes/${created.body.id}`, { name: 'Sales Emea' })).status).toBe(200);
    expect((await api.get('/inboxes')).body.items).toHaveLength(2);
  });

  it('answers 401 with a code for missing, malformed and revoked tokens', async () => {
    const acct = await makeAccount(store().deps);
    expect((await apiClient(app).get('/me')).body.error.code).toBe('unauthenticated');
    expect((await apiClient(app).get('/me')).status).toBe(401);
    expect((await apiClient(app, 'prl_wrong').get('/me')).status).toBe(401);
    expect((await apiClient(app).get('/me', { authorization: 'Basic abc' })).status).toBe(401);
    expect((await apiClient(app, acct.token).get('/me')).status).toBe(200);
    await store().deps.store.db.updateTable('api_tokens').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', acct.owner.id).execute();
    const revoked = await apiClient(app, acct.token).get('/me');
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
  });

  it('logs in with a session cookie and requires the CSRF token on mutations', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app);
    const bad = await api.post('/auth/login', { email: acct.owner.email, password: 'wrong password' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_credentials');
    const login = await api.post('/auth/login', { email: acct.owner.email, password: acct.password });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = login.body.csrfToken as string;
    expect((await api.get('/me', { cookie })).body.user.email).toBe(acct.owner.email);
    const noCsrf = await api.patch(`/inboxes/${acct.inbox.id}`, { name: 'X' }, { cookie });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('csrf_failed');
    expect((await api.patch(`/inboxes/${acct.inbox.id}`, { name: 'X' }, { cookie, 'x-csrf-token': 'nope' })).status).toBe(403);
    expect((await api.patch(`/inboxes/${acct.inbox.id}`, { name: 'X' }, { cookie, 'x-csrf-token': csrf })).status).toBe(200);
    await api.post('/auth/logout', {}, { cookie });
    expect((await api.get('/me', { cookie })).status).toBe(401);
  });

  it('rate-limits repeated failed logins', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await api.post('/auth/login', { email: acct.owner.email, password: 'nope nope' })).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[11]).toBe(429);
    const refused = await api.post('/auth/login', { email: acct.owner.email, password: acct.password });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual({ code: 'rate_limited', message: 'Too many failed logins for this address: try again in 5 minutes' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(200);
  });

  it('counts guesses sent at once as they start: of 40 parallel wrong passwords only 10 are checked', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app);
    const statuses = await Promise.all(Array.from({ length: 40 }, () => api.post('/auth/login', { email: acct.owner.email, password: 'nope nope' }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
  });

  it('never counts successful logins: someone who logs in often is not locked out', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app);
    for (let i = 0; i < 15; i++) expect((await api.post('/auth/login', { email: acct.owner.email, password: acct.password })).status).toBe(200);
    // Failures after a success start from zero.
    for (let i = 0; i < 9; i++) expect((await api.post('/auth/login', { email: acct.owner.email, password: 'nope nope' })).status).toBe(401);
    expect((await api.post('/auth/login', { email: acct.owner.email, password: acct.password })).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await api.post('/auth/login', { email: acct.owner.email, password: 'nope nope' })).status).toBe(401);
    expect((await api.post('/auth/login', { email: acct.owner.email, password: acct.password })).status).toBe(200);
  });

  it('answers bad input with 400 and a code, never a 500 or a partial write', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app, acct.token);
    const malformed = await api.patch(`/inboxes/${acct.inbox.id}`, '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const unknownField = await api.patch(`/inboxes/${acct.inbox.id}`, { name: 'A', colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.code).toBe('validation_failed');
    expect((await api.patch(`/inboxes/${acct.inbox.id}`, { name: 'x'.repeat(101) })).status).toBe(400);
    expect((await api.patch(`/inboxes/${acct.inbox.id}`, { name: 42 })).status).toBe(400);
    expect((await api.patch(`/inboxes/${acct.inbox.id}`, { name: '   ' })).status).toBe(400);
    const badId = await api.get('/inboxes/not-an-id');
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('validation_failed');
    expect((await api.get('/conversations?limit=abc')).status).toBe(400);
    expect((await api.get('/conversations?cursor=garbage')).body.error.code).toBe('validation_failed');
    expect((await api.get(`/inboxes/${acct.inbox.id}`)).body.name).toBe('Inbox');
    const signupBad = await apiClient(app).post('/signup', { accountName: 'A', subdomain: 'okname', email: 'not-an-email', password: 'password123' });
    expect(signupBad.status).toBe(400);
    expect(signupBad.body.error.field).toBe('email');
  });

  it('turns a channel off and on and changes its email settings, audited', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app, acct.token);
    const off = await api.patch(`/channels/${acct.channel.id}`, { enabled: false, email: { originalSenderOfForwards: false } });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
    expect(off.body.email.originalSenderOfForwards).toBe(false);
    expect((await api.patch(`/channels/${acct.channel.id}`, { enabled: true })).body.enabled).toBe(true);
    expect((await api.patch(`/channels/${acct.channel.id}`, { email: { bogus: 1 } })).status).toBe(400);
    const audit = await store().deps.store.db.selectFrom('audit_log').selectAll().where('subject_id', '=', acct.channel.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['channel.updated', 'channel.updated']);
  });

  it('serves OpenAPI 3.1, health and readiness', async () => {
    const api = apiClient(app);
    const doc = await api.get('/api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/inboxes', '/api/v1/conversations', '/api/v1/signup']));
    expect((await api.get('/healthz')).status).toBe(200);
    expect((await api.get('/readyz')).body.database).toBe(store().kind);
  });
});
