// The authorization matrix (issue 5 item 2), on SQLite and PostgreSQL: every endpoint × actor ×
// inbox access mode, checked against one rule table. Actors: super admin member and non-member,
// admin (non-member), agent with access (through a team) and without, free seat with access,
// an API token (a member agent calling with Bearer), and nobody. Everyone but the token and
// nobody calls with a session cookie and X-CSRF-Token, as the web app does.
//
// Adding an endpoint is one line in ENDPOINTS: its kind (which rule applies), the fixture it
// needs (a fresh conversation or inbox in the mode's access setting, made per cell so destructive
// calls do not disturb each other), and the request.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp, type ApiResult } from './helpers/api.ts';
import { addConversation, addTeam, addUser } from './access-fixtures.ts';
import type { Deps } from '../src/server/deps.ts';
import type { Row } from '../src/server/db/schema.ts';
import { createInbox } from '../src/server/core/create-inbox.ts';
import { newSecret } from '../src/server/core/ids.ts';
import { blobStore } from '../src/server/blobs/blob-store.ts';
import { connectEmailChannel } from '../src/server/core/connect-email-channel.ts';
import { secretKey } from '../src/server/core/secrets.ts';

type Mode = 'everyone' | 'specific';
type Client = ReturnType<typeof apiClient>;
/** A client that sends the session cookie and CSRF header on every call. */
function withHeaders(c: Client, h: Record<string, string>): Client {
  return {
    get: (url, extra) => c.get(url, { ...h, ...extra }),
    post: (url, body, extra) => c.post(url, body, { ...h, ...extra }),
    patch: (url, body, extra) => c.patch(url, body, { ...h, ...extra }),
    put: (url, body, extra) => c.put(url, body, { ...h, ...extra }),
    delete: (url, extra) => c.delete(url, { ...h, ...extra }),
  };
}
type ActorName = 'superAdminMember' | 'superAdminOutside' | 'admin' | 'agentWithAccess' | 'agentWithout' | 'freeSeat' | 'apiToken' | 'nobody';
const ACTORS: ActorName[] = ['superAdminMember', 'superAdminOutside', 'admin', 'agentWithAccess', 'agentWithout', 'freeSeat', 'apiToken', 'nobody'];
interface ActorTraits {
  admin: boolean;
  /** Named (directly or through a team) in a "specific" inbox's access. */
  member: boolean;
}
const TRAITS: Record<Exclude<ActorName, 'nobody'>, ActorTraits> = {
  superAdminMember: { admin: true, member: true },
  superAdminOutside: { admin: true, member: false },
  admin: { admin: true, member: false },
  agentWithAccess: { admin: false, member: true },
  agentWithout: { admin: false, member: false },
  freeSeat: { admin: false, member: true },
  apiToken: { admin: false, member: true },
};

/**
 * Which rule an endpoint follows:
 * - view: read something in an inbox (404 without access, admins may view).
 * - act: act in an inbox (404 without access, 403 view_only for admins who are not members).
 * - list: a list that must include the fixture exactly when the actor may view it.
 * - inboxSettings: change an inbox's settings (admins; 404 for those who cannot see it, else 403).
 * - accountSettings: account-wide settings (admins; 403 otherwise).
 * - accountRead: account-wide reads every user may make.
 * - accountWork: account-wide data every user may change (contacts: the CRM side).
 */
type Kind = 'view' | 'act' | 'list' | 'inboxSettings' | 'accountSettings' | 'accountRead' | 'accountWork';
/** 'mailbox': a fresh inbox with a connected team mailbox, whose channel is `channelId`. */
type Fixture = 'conversation' | 'ticket' | 'inbox' | 'mailbox' | 'none';
interface Fx {
  conversation: Row<'conversations'> | null;
  /** The conversation's first (inbound) message. */
  messageId: string | null;
  /** A ticket on the conversation, made by the owner (fixture 'ticket'). */
  ticketId: string | null;
  inbox: Row<'inboxes'>;
  defaultInboxId: string;
  channelId: string;
  users: Record<Exclude<ActorName, 'nobody'>, Row<'users'>>;
}
interface Req {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** For lists: is the fixture in the answer? */
  contains?: (res: ApiResult) => boolean;
}
interface Endpoint {
  name: string;
  kind: Kind;
  fixture: Fixture;
  request: (fx: Fx) => Req;
}
const ids = (res: ApiResult) => ((res.body?.items ?? []) as Array<{ id: string }>).map((i) => i.id);

const ENDPOINTS: Endpoint[] = [
  { name: 'GET /conversations/{id}', kind: 'view', fixture: 'conversation', request: (f) => ({ method: 'GET', url: `/conversations/${f.conversation!.id}` }) },
  { name: 'GET /conversations/{id}/messages', kind: 'view', fixture: 'conversation', request: (f) => ({ method: 'GET', url: `/conversations/${f.conversation!.id}/messages` }) },
  { name: 'GET /conversations', kind: 'list', fixture: 'conversation', request: (f) => ({ method: 'GET', url: '/conversations?limit=200', contains: (r) => ids(r).includes(f.conversation!.id) }) },
  { name: 'GET /conversations?inboxId', kind: 'list', fixture: 'conversation', request: (f) => ({ method: 'GET', url: `/conversations?inboxId=${f.inbox.id}`, contains: (r) => ids(r).includes(f.conversation!.id) }) },
  { name: 'GET /conversations?status&assigneeId', kind: 'list', fixture: 'conversation', request: (f) => ({ method: 'GET', url: '/conversations?status=open&assigneeId=unassigned&limit=200', contains: (r) => ids(r).includes(f.conversation!.id) }) },
  { name: 'GET /search', kind: 'list', fixture: 'conversation', request: (f) => ({ method: 'GET', url: '/search?q=help%20please&limit=200', contains: (r) => ids(r).includes(f.conversation!.id) }) },
  { name: 'GET /inboxes', kind: 'list', fixture: 'none', request: (f) => ({ method: 'GET', url: '/inboxes', contains: (r) => ids(r).includes(f.inbox.id) }) },
  { name: 'GET /inboxes/{id}', kind: 'view', fixture: 'none', request: (f) => ({ method: 'GET', url: `/inboxes/${f.inbox.id}` }) },
  { name: 'GET /inboxes/{id}/channels', kind: 'view', fixture: 'none', request: (f) => ({ method: 'GET', url: `/inboxes/${f.inbox.id}/channels` }) },
  { name: 'GET /channels/{id}', kind: 'view', fixture: 'none', request: (f) => ({ method: 'GET', url: `/channels/${f.channelId}` }) },
  { name: 'PATCH /inboxes/{id}', kind: 'inboxSettings', fixture: 'inbox', request: (f) => ({ method: 'PATCH', url: `/inboxes/${f.inbox.id}`, body: { name: `Renamed ${newSecret(3)}` } }) },
  { name: 'PUT /inboxes/{id}/access', kind: 'inboxSettings', fixture: 'inbox', request: (f) => ({ method: 'PUT', url: `/inboxes/${f.inbox.id}/access`, body: { access: 'specific', userIds: [f.users.agentWithAccess.id] } }) },
  { name: 'DELETE /inboxes/{id}', kind: 'inboxSettings', fixture: 'inbox', request: (f) => ({ method: 'DELETE', url: `/inboxes/${f.inbox.id}` }) },
  { name: 'PATCH /channels/{id}', kind: 'inboxSettings', fixture: 'inbox', request: (f) => ({ method: 'PATCH', url: `/channels/${f.channelId}`, body: { name: 'Mail' } }) },
  { name: 'POST /inboxes', kind: 'accountSettings', fixture: 'none', request: () => ({ method: 'POST', url: '/inboxes', body: { name: `New ${newSecret(3)}` } }) },
  { name: 'POST /users', kind: 'accountSettings', fixture: 'none', request: () => ({ method: 'POST', url: '/users', body: { email: `u-${newSecret(6).toLowerCase()}@matrix.test`, role: 'agent', seat: 'free' } }) },
  { name: 'PATCH /users/{id}', kind: 'accountSettings', fixture: 'none', request: (f) => ({ method: 'PATCH', url: `/users/${f.users.agentWithout.id}`, body: { seat: 'paid' } }) },
  { name: 'POST /teams', kind: 'accountSettings', fixture: 'none', request: () => ({ method: 'POST', url: '/teams', body: { name: `Team ${newSecret(4)}` } }) },
  { name: 'GET /audit-log', kind: 'accountSettings', fixture: 'none', request: () => ({ method: 'GET', url: '/audit-log' }) },
  { name: 'GET /users', kind: 'accountRead', fixture: 'none', request: () => ({ method: 'GET', url: '/users' }) },
  { name: 'GET /teams', kind: 'accountRead', fixture: 'none', request: () => ({ method: 'GET', url: '/teams' }) },
  { name: 'GET /contacts', kind: 'accountRead', fixture: 'none', request: () => ({ method: 'GET', url: '/contacts' }) },
  { name: 'POST /contacts', kind: 'accountWork', fixture: 'none', request: () => ({ method: 'POST', url: '/contacts', body: { email: `new-${newSecret(4).toLowerCase()}@customer.example` } }) },
  { name: 'PATCH /contacts/{id}', kind: 'accountWork', fixture: 'conversation', request: (f) => ({ method: 'PATCH', url: `/contacts/${f.conversation!.contact_id}`, body: { name: 'Renamed' } }) },
  { name: 'GET /me', kind: 'accountRead', fixture: 'none', request: () => ({ method: 'GET', url: '/me' }) },
  { name: 'GET /notifications', kind: 'accountRead', fixture: 'none', request: () => ({ method: 'GET', url: '/notifications' }) },
  { name: 'GET /pipelines', kind: 'accountRead', fixture: 'none', request: () => ({ method: 'GET', url: '/pipelines' }) },
  { name: 'POST /pipelines', kind: 'accountSettings', fixture: 'none', request: () => ({ method: 'POST', url: '/pipelines', body: { name: `Sales ${newSecret(4)}`, stages: [{ name: 'Open' }, { name: 'Won', isClosed: true }] } }) },
  // Other helpers' endpoints (email out, workflow, tickets, automation): one line each.
  { name: 'GET /messages/{id}/raw', kind: 'view', fixture: 'conversation', request: (f) => ({ method: 'GET', url: `/messages/${f.messageId}/raw` }) },
  { name: 'GET /channels/{id}/connection', kind: 'inboxSettings', fixture: 'mailbox', request: (f) => ({ method: 'GET', url: `/channels/${f.channelId}/connection` }) },
  { name: 'DELETE /channels/{id}', kind: 'inboxSettings', fixture: 'mailbox', request: (f) => ({ method: 'DELETE', url: `/channels/${f.channelId}` }) },
  { name: 'GET /channels/{id}/preview', kind: 'view', fixture: 'none', request: (f) => ({ method: 'GET', url: `/channels/${f.channelId}/preview` }) },
  { name: 'POST /conversations/{id}/messages (reply)', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: `/conversations/${f.conversation!.id}/messages`, body: { body: 'Thanks, on it.' } }) },
  { name: 'POST /conversations/{id}/messages (note)', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: `/conversations/${f.conversation!.id}/messages`, body: { body: 'Internal', kind: 'note' } }) },
  { name: 'POST /conversations/{id}/assign', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: `/conversations/${f.conversation!.id}/assign`, body: { assigneeId: f.users.agentWithAccess.id } }) },
  { name: 'POST /conversations/{id}/close', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: `/conversations/${f.conversation!.id}/close` }) },
  { name: 'POST /conversations/{id}/snooze', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: `/conversations/${f.conversation!.id}/snooze`, body: { until: new Date(Date.now() + 86400_000).toISOString() } }) },
  { name: 'POST /conversations/{id}/move', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: `/conversations/${f.conversation!.id}/move`, body: { inboxId: f.defaultInboxId } }) },
  { name: 'PUT /conversations/{id}/follow', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'PUT', url: `/conversations/${f.conversation!.id}/follow` }) },
  { name: 'POST /tickets', kind: 'act', fixture: 'conversation', request: (f) => ({ method: 'POST', url: '/tickets', body: { conversationId: f.conversation!.id } }) },
  { name: 'GET /tickets', kind: 'list', fixture: 'ticket', request: (f) => ({ method: 'GET', url: '/tickets?limit=200', contains: (r) => ids(r).includes(f.ticketId!) }) },
  { name: 'GET /tickets/{id}', kind: 'view', fixture: 'ticket', request: (f) => ({ method: 'GET', url: `/tickets/${f.ticketId}` }) },
  { name: 'PATCH /tickets/{id}', kind: 'act', fixture: 'ticket', request: (f) => ({ method: 'PATCH', url: `/tickets/${f.ticketId}`, body: { priority: 'high' } }) },
  { name: 'GET /inboxes/{id}/automation', kind: 'inboxSettings', fixture: 'none', request: (f) => ({ method: 'GET', url: `/inboxes/${f.inbox.id}/automation` }) },
  { name: 'PUT /inboxes/{id}/automation', kind: 'inboxSettings', fixture: 'inbox', request: (f) => ({ method: 'PUT', url: `/inboxes/${f.inbox.id}/automation`, body: { autoAssign: true } }) },
];

type Outcome = { status: 'ok' } | { status: number; code: string } | { status: 'listed'; listed: boolean };

/** The rule table: what each actor must get from each kind of endpoint in each access mode. */
function expected(kind: Kind, actor: ActorName, mode: Mode): Outcome {
  if (actor === 'nobody') return { status: 401, code: 'unauthenticated' };
  const t = TRAITS[actor];
  const member = mode === 'everyone' || t.member;
  const canView = member || t.admin;
  switch (kind) {
    case 'accountRead':
    case 'accountWork':
      return { status: 'ok' };
    case 'accountSettings':
      return t.admin ? { status: 'ok' } : { status: 403, code: 'forbidden' };
    case 'list':
      return { status: 'listed', listed: canView };
    case 'view':
      return canView ? { status: 'ok' } : { status: 404, code: 'not_found' };
    case 'act':
      if (member) return { status: 'ok' };
      return t.admin ? { status: 403, code: 'view_only' } : { status: 404, code: 'not_found' };
    case 'inboxSettings':
      if (!canView) return { status: 404, code: 'not_found' };
      return t.admin ? { status: 'ok' } : { status: 403, code: 'forbidden' };
  }
}

interface World {
  account: Row<'accounts'>;
  owner: Row<'users'>;
  users: Fx['users'];
  teamId: string;
  call: Record<ActorName, Client>;
  inboxes: Record<Mode, { inbox: Row<'inboxes'>; channelId: string }>;
  defaultInboxId: string;
}

async function makeInbox(deps: Deps, w: Omit<World, 'inboxes' | 'call' | 'defaultInboxId'> & { ownerActor: { kind: 'user'; user: Row<'users'>; account: Row<'accounts'>; via: 'cli' } }, mode: Mode) {
  const made = await deps.run(w.ownerActor, (ctx) =>
    createInbox(
      ctx,
      {
        name: `Matrix ${mode} ${newSecret(3)}`,
        access: mode,
        userIds: mode === 'specific' ? [w.owner.id, w.users.freeSeat.id, w.users.apiToken.id] : [],
        teamIds: mode === 'specific' ? [w.teamId] : [],
      },
      deps.domains,
    ),
  );
  return { inbox: made.inbox, channelId: made.channel.id };
}

/** A team mailbox connected through the use case (the login test is the transport's, not needed here). */
async function connectMailbox(deps: Deps, w: World, inboxId: string): Promise<string> {
  const address = `team-${newSecret(4).toLowerCase()}@team.example`;
  const server = { host: '127.0.0.1', port: 143, tls: false, user: address, password: 'secret' };
  const made = await deps.run({ kind: 'user', user: w.owner, account: w.account, via: 'cli' }, (ctx) =>
    connectEmailChannel(ctx, { inboxId, teamAddress: address, imap: server, smtp: null, imapStart: { uidValidity: '1', uidNext: 1 } }, { domains: deps.domains, secretKey: secretKey(deps.config) }),
  );
  return made.channel.id;
}

describeEachStore('authorization matrix', (store) => {
  let app: FastifyInstance;
  let world: World;
  let makeModeInbox: (mode: Mode) => Promise<{ inbox: Row<'inboxes'>; channelId: string }>;

  beforeAll(async () => {
    const deps = store().deps;
    app = await testApp(deps);
    const acct = await makeAccount(deps, { plan: 'enterprise' });
    const superAdminOutside = await addUser(deps, acct.account, { role: 'super_admin', name: 'Sam' });
    const admin = await addUser(deps, acct.account, { role: 'admin', name: 'Ada' });
    const agentWithAccess = await addUser(deps, acct.account, { role: 'agent', name: 'Tom' });
    const agentWithout = await addUser(deps, acct.account, { role: 'agent', name: 'Olga' });
    const freeSeat = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Fred' });
    const apiToken = await addUser(deps, acct.account, { role: 'agent', name: 'Bot' });
    const teamId = await addTeam(deps, acct.account, 'Matrix team', [agentWithAccess.user.id]);
    const users = { superAdminMember: acct.owner, superAdminOutside: superAdminOutside.user, admin: admin.user, agentWithAccess: agentWithAccess.user, agentWithout: agentWithout.user, freeSeat: freeSeat.user, apiToken: apiToken.user };

    const session = async (email: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
      expect(res.statusCode).toBe(200);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      const csrf = (JSON.parse(res.body) as { csrfToken: string }).csrfToken;
      return withHeaders(apiClient(app), { cookie, 'x-csrf-token': csrf });
    };
    const call = {
      superAdminMember: await session(acct.owner.email),
      superAdminOutside: await session(superAdminOutside.user.email),
      admin: await session(admin.user.email),
      agentWithAccess: await session(agentWithAccess.user.email),
      agentWithout: await session(agentWithout.user.email),
      freeSeat: await session(freeSeat.user.email),
      apiToken: apiClient(app, apiToken.token),
      nobody: apiClient(app),
    };
    const base = { account: acct.account, owner: acct.owner, users, teamId, ownerActor: { kind: 'user' as const, user: acct.owner, account: acct.account, via: 'cli' as const } };
    makeModeInbox = (mode) => makeInbox(deps, base, mode);
    world = { ...base, call, defaultInboxId: acct.inbox.id, inboxes: { everyone: await makeModeInbox('everyone'), specific: await makeModeInbox('specific') } };
  });
  afterAll(async () => {
    await app.close();
  });

  for (const endpoint of ENDPOINTS) {
    for (const mode of ['everyone', 'specific'] as const) {
      it(`${endpoint.name} [${mode}]`, async () => {
        const deps = store().deps;
        const failures: string[] = [];
        // A fresh fixture only after a call that was meant to change it (reads share one), which
        // keeps the matrix fast; a call that wrongly succeeds fails the test anyway.
        let fx: Omit<Fx, 'users' | 'defaultInboxId'> | null = null;
        const freshFixture = async (): Promise<Omit<Fx, 'users' | 'defaultInboxId'>> => {
          const place = endpoint.fixture === 'inbox' || endpoint.fixture === 'mailbox' ? await makeModeInbox(mode) : world.inboxes[mode];
          if (endpoint.fixture === 'mailbox') place.channelId = await connectMailbox(deps, world, place.inbox.id);
          const conversation =
            endpoint.fixture === 'conversation' || endpoint.fixture === 'ticket'
              ? await addConversation(deps, world.account, place.inbox.id, 'Help please', { contactEmail: `c-${newSecret(4).toLowerCase()}@customer.example` })
              : null;
          const message = conversation ? await deps.store.db.selectFrom('messages').select('id').where('conversation_id', '=', conversation.id).executeTakeFirstOrThrow() : null;
          if (message) {
            // The original as received, so "Download original" has something to serve.
            const raw = await blobStore(deps.config.dataDir).put(Buffer.from(`Subject: Help please\r\nMessage-ID: <${message.id}@customer.example>\r\n\r\nHello\r\n`));
            await deps.store.db.updateTable('messages').set({ raw_key: raw.key }).where('id', '=', message.id).execute();
          }
          let ticketId: string | null = null;
          if (endpoint.fixture === 'ticket') {
            const made = await world.call.superAdminMember.post('/tickets', { conversationId: conversation!.id });
            expect(made.status).toBe(201);
            ticketId = made.body.id as string;
          }
          return { conversation, messageId: message?.id ?? null, ticketId, inbox: place.inbox, channelId: place.channelId };
        };
        for (const actor of ACTORS) {
          const want = expected(endpoint.kind, actor, mode);
          fx ??= await freshFixture();
          const { conversation, messageId, ticketId, inbox, channelId } = fx;
          const place = { inbox, channelId };
          const message = messageId ? { id: messageId } : null;
          const req = endpoint.request({ conversation, messageId: message?.id ?? null, ticketId, inbox: place.inbox, defaultInboxId: world.defaultInboxId, channelId: place.channelId, users: world.users });
          if (req.method !== 'GET' && want.status === 'ok') fx = null;
          const client = world.call[actor];
          const res =
            req.method === 'GET' ? await client.get(req.url)
            : req.method === 'DELETE' ? await client.delete(req.url)
            : await client[req.method.toLowerCase() as 'post' | 'put' | 'patch'](req.url, req.body ?? {});
          const got = `${res.status} ${res.body?.error?.code ?? ''}`.trim();
          if (want.status === 'ok') {
            if (res.status < 200 || res.status > 299) failures.push(`${actor}: want 2xx, got ${got} ${res.body?.error?.message ?? ''}`);
          } else if (want.status === 'listed') {
            if (res.status !== 200) failures.push(`${actor}: want 200, got ${got}`);
            else if (req.contains!(res) !== want.listed) failures.push(`${actor}: want ${want.listed ? 'listed' : 'not listed'}`);
          } else if (res.status !== want.status || res.body?.error?.code !== want.code) {
            failures.push(`${actor}: want ${want.status} ${want.code}, got ${got}`);
          }
        }
        expect(failures).toEqual([]);
      });
    }
  }
});
