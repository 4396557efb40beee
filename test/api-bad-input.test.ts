// Bad input on every endpoint, on SQLite and PostgreSQL. The endpoint list comes from the
// OpenAPI document, so a new route is covered the day it lands: malformed JSON, wrong body
// types, unknown fields, over-long strings, bad ids and bad query parameters all get a 4xx with
// {"error":{"code","message"}} (400 where the input is malformed), never a 500, and no row in
// any table changes.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, type ApiResult } from './helpers/api.ts';
import { testApp } from './helpers/api.ts';
import type { Deps } from '../src/server/deps.ts';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; additionalProperties?: boolean | Schema; maxLength?: number; anyOf?: Schema[]; items?: Schema };
type Operation = { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

const FAKE_ID = '01900000-0000-7000-8000-000000000000';

async function rowCounts(deps: Deps): Promise<Record<string, number>> {
  const db = deps.store.db;
  const tables =
    deps.store.dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(db)).rows
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%'`.execute(db)).rows;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(r.rows[0]!.n);
  }
  return counts;
}

function expectClientError(res: ApiResult, what: string, status?: number): void {
  const detail = `${what} -> ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, detail).toBeGreaterThanOrEqual(400);
  expect(res.status, detail).toBeLessThan(500);
  if (status !== undefined) expect(res.status, detail).toBe(status);
  expect(typeof res.body?.error?.code, detail).toBe('string');
  expect(typeof res.body?.error?.message, detail).toBe('string');
}

describeEachStore('bad input on every endpoint', (store) => {
  let app: FastifyInstance;
  let operations: Array<{ method: Method; path: string; op: Operation }>;
  beforeAll(async () => {
    app = await testApp(store().deps);
    const doc = (await apiClient(app).get('/api/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => ['get', 'post', 'patch', 'put', 'delete'].includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase() as Method, path, op })),
    );
  });
  afterAll(async () => {
    await app.close();
  });

  it('documents the foundation endpoints with schemas', () => {
    const paths = new Set(operations.map((o) => `${o.method} ${o.path}`));
    for (const p of [
      'GET /api/v1/me',
      'PATCH /api/v1/me',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'GET /api/v1/users/{id}',
      'PATCH /api/v1/users/{id}',
      'GET /api/v1/teams',
      'POST /api/v1/teams',
      'GET /api/v1/teams/{id}',
      'PATCH /api/v1/teams/{id}',
      'GET /api/v1/inboxes',
      'POST /api/v1/inboxes',
      'GET /api/v1/inboxes/{id}',
      'PATCH /api/v1/inboxes/{id}',
      'GET /api/v1/inboxes/{id}/channels',
      'GET /api/v1/channels/{id}',
      'GET /api/v1/contacts',
      'GET /api/v1/contacts/{id}',
      'GET /api/v1/contacts/{id}/timeline',
      'GET /api/v1/conversations',
      'GET /api/v1/conversations/{id}',
      'GET /api/v1/conversations/{id}/messages',
      'POST /api/v1/tokens',
      'GET /api/v1/tokens',
      'DELETE /api/v1/tokens/{id}',
      'POST /api/v1/signup',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
    ]) {
      expect(paths, p).toContain(p);
    }
  });

  it('refuses unknown fields in every JSON body schema and caps every body string', () => {
    const loose: string[] = [];
    const uncapped: string[] = [];
    const visit = (where: string, s: Schema | undefined) => {
      if (!s) return;
      for (const alt of s.anyOf ?? []) visit(where, alt);
      if (s.items) visit(`${where}[]`, s.items);
      const types = Array.isArray(s.type) ? s.type : [s.type];
      if (types.includes('string') && s.maxLength === undefined && !('enum' in s) && !('format' in s)) uncapped.push(where);
      if (s.properties) {
        if (s.additionalProperties !== false) loose.push(where);
        for (const [k, v] of Object.entries(s.properties)) visit(`${where}.${k}`, v);
      }
    };
    for (const { method, path, op } of operations) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (schema) visit(`${method} ${path}`, schema);
    }
    expect(loose, 'bodies that accept unknown fields').toEqual([]);
    expect(uncapped, 'body strings without maxLength').toEqual([]);
  });

  // Hundreds of requests: a generous budget for a busy machine (no timing is asserted).
  it('answers malformed, mistyped and bad-id requests with a 4xx and a code, never a 500, and writes nothing', { timeout: 180_000 }, async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app, acct.token);
    const before = await rowCounts(store().deps);
    let checked = 0;
    for (const { method, path, op } of operations) {
      if (path === '/api/v1/ws') continue; // the socket's input is checked in fanout-socket.test.ts
      const withFake = path.replace(/\{[^}]+\}/g, FAKE_ID);
      const label = `${method} ${path}`;
      // Bad ids in the path.
      if (path.includes('{id}')) {
        const res = await api[method.toLowerCase() as 'get'](path.replace('{id}', 'not-an-id').replace(/\{[^}]+\}/g, FAKE_ID), ...(method === 'GET' || method === 'DELETE' ? [] : [{}]) as []);
        expectClientError(res, `${label} bad id`, 400);
        expect(res.body.error.code).toBe('validation_failed');
        checked++;
      }
      // Unknown and mistyped query parameters.
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      if (method === 'GET') {
        if (query.length > 0) expectClientError(await api.get(`${withFake}?zzUnknown=1`), `${label} unknown query`, path.includes('{') ? undefined : 400);
        else expect((await api.get(`${withFake}?zzUnknown=%00%ff`)).status, `${label} odd query`).toBeLessThan(500);
        if (query.some((p) => p.name === 'limit')) {
          for (const limit of ['abc', '0', '-1', '100000', '1.5']) expectClientError(await api.get(`${withFake}?limit=${limit}`), `${label} limit=${limit}`, 400);
          expectClientError(await api.get(`${withFake}?cursor=${'x'.repeat(40)}`), `${label} bad cursor`, path.includes('{') ? undefined : 400);
          expectClientError(await api.get(`${withFake}?cursor=${'x'.repeat(600)}`), `${label} long cursor`, 400);
        }
        checked++;
      }
      // Bodies: malformed JSON, wrong top-level types, unknown fields, over-long strings.
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (body) {
        const call = (payload: unknown) => api[method.toLowerCase() as 'post'](withFake, payload);
        const malformed = await call('{"name": ');
        expectClientError(malformed, `${label} malformed JSON`, 400);
        expect(malformed.body.error.code).toBe('invalid_json');
        for (const wrong of ['[]', '"text"', '42', 'null']) expectClientError(await call(wrong), `${label} body ${wrong}`, 400);
        expectClientError(await call({ zzUnknownField: 1 }), `${label} unknown field`, 400);
        for (const [name, prop] of Object.entries(body.properties ?? {})) {
          if (prop.maxLength !== undefined) expectClientError(await call({ [name]: 'x'.repeat(prop.maxLength + 1) }), `${label} ${name} too long`, 400);
          expectClientError(await call({ [name]: { nested: { deeply: [1, 2, 3] } } }), `${label} ${name} wrong type`, 400);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
    expect(await rowCounts(store().deps)).toEqual(before);
  });

  it('refuses over-long strings in otherwise valid requests, with the field named, and keeps the data', async () => {
    const acct = await makeAccount(store().deps);
    const api = apiClient(app, acct.token);
    const before = await rowCounts(store().deps);
    const cases: Array<[string, Promise<ApiResult>, string]> = [
      ['inbox name', api.patch(`/inboxes/${acct.inbox.id}`, { name: 'x'.repeat(101) }), 'name'],
      ['new inbox name', api.post('/inboxes', { name: 'x'.repeat(101) }), 'name'],
      ['team name', api.post('/teams', { name: 'x'.repeat(101) }), 'name'],
      ['user email', api.post('/users', { email: `${'x'.repeat(250)}@a.test`, role: 'agent', seat: 'paid' }), 'email'],
      ['user first name', api.patch(`/users/${acct.owner.id}`, { firstName: 'x'.repeat(101) }), 'firstName'],
      ['my last name', api.patch('/me', { lastName: 'x'.repeat(101) }), 'lastName'],
      ['token name', api.post('/tokens', { name: 'x'.repeat(101) }), 'name'],
      ['signup subdomain', apiClient(app).post('/signup', { accountName: 'A', subdomain: 'a'.repeat(64), email: 'a@b.test', password: 'password123' }), 'subdomain'],
      ['teamIds not ids', api.patch(`/users/${acct.owner.id}`, { teamIds: ['nope'] }), 'teamIds.0'],
      ['role not a role', api.patch(`/users/${acct.owner.id}`, { role: 'king' }), 'role'],
      ['availability wrong type', api.patch('/me', { availability: true }), 'availability'],
    ];
    for (const [what, pending, field] of cases) {
      const res = await pending;
      expectClientError(res, what, 400);
      expect(res.body.error.field, what).toBe(field);
    }
    const huge = await api.patch(`/inboxes/${acct.inbox.id}`, JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    expectClientError(huge, 'a 2 MiB body', 413);
    expect(await rowCounts(store().deps)).toEqual(before);
    expect((await api.get(`/inboxes/${acct.inbox.id}`)).body.name).toBe('Inbox');
  });
});
