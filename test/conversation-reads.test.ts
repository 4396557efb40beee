// Per-user unread state and view counts (core/conversation-reads.ts, core/view-counts.ts), on
// SQLite and PostgreSQL: a customer message makes a conversation unread, opening it or the
// agent's own reply or note makes it read, "mark as unread" holds until it is read again; one
// agent's marker never changes another's, nor leaks to them through the list's page cache or the
// socket; counts are the lengths of the lists; access is the list's and the conversation's.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AddressInfo } from 'node:net';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { openSocket } from './helpers/ws-client.ts';
import { addConversation, addUser } from './access-fixtures.ts';
import { seedConversations } from './helpers/seed.ts';
import { COUNT_LIMIT } from '../src/server/core/view-counts.ts';
import { buildApp } from '../src/server/http/app.ts';
import { messageRow } from '../src/server/core/message-rows.ts';
import type { Deps } from '../src/server/deps.ts';
import type { Row } from '../src/server/db/schema.ts';
import type { ConversationT, ViewCountsT } from '../src/shared/api.ts';

type Api = ReturnType<typeof apiClient>;

/** A customer's message arriving in the conversation, written as the mail pipeline writes one. */
async function customerWrites(deps: Deps, c: Row<'conversations'>, text = 'Any news?'): Promise<void> {
  await deps.run({ kind: 'system', accountId: c.account_id, reason: 'test' }, async (ctx) => {
    await ctx.db.insertInto('messages').values(messageRow(ctx, c, { direction: 'in', kind: 'message', author_contact_id: c.contact_id, text })).execute();
    await ctx.db.updateTable('conversations').set({ last_activity_at: ctx.now.toISOString() }).where('id', '=', c.id).execute();
    await ctx.emit({ type: 'message.created', accountId: c.account_id, inboxId: c.inbox_id, data: { conversationId: c.id } });
  });
}

async function unreadOf(api: Api, conversationId: string): Promise<boolean> {
  const res = await api.get<ConversationT>(`/conversations/${conversationId}`);
  expect(res.status).toBe(200);
  return res.body.unread;
}

const ids = (body: { items: ConversationT[] }) => body.items.map((c) => c.id).sort();

describeEachStore('conversation read state', (store) => {
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

  it('is unread until opened, unread again on a customer message, and read after the agent replies or notes', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const api = apiClient(app, acct.token);
    const c = await addConversation(deps, acct.account, acct.inbox.id, 'Broken invoice', { contactEmail: 'ann@customer.test' });

    // Never opened, with a customer message: unread, in the object, the list and the filter.
    expect(await unreadOf(api, c.id)).toBe(true);
    expect((await api.get(`/conversations?inboxId=${acct.inbox.id}`)).body.items[0]).toMatchObject({ id: c.id, unread: true });
    expect(ids((await api.get(`/conversations?inboxId=${acct.inbox.id}&unread=true`)).body)).toEqual([c.id]);

    const read = await api.post<ConversationT>(`/conversations/${c.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: c.id, unread: false });
    expect(await unreadOf(api, c.id)).toBe(false);
    expect((await api.get(`/conversations?inboxId=${acct.inbox.id}&unread=true`)).body.items).toEqual([]);
    expect(ids((await api.get(`/conversations?inboxId=${acct.inbox.id}&unread=false`)).body)).toEqual([c.id]);

    await customerWrites(deps, c);
    expect(await unreadOf(api, c.id)).toBe(true);

    // The agent's own reply marks it read for them.
    const reply = await api.post(`/conversations/${c.id}/messages`, { body: 'Fixed, sorry about that.' });
    expect(reply.status).toBe(201);
    expect(await unreadOf(api, c.id)).toBe(false);

    // So does their note; someone else's note makes nothing unread.
    await customerWrites(deps, c, 'Thanks!');
    expect(await unreadOf(api, c.id)).toBe(true);
    expect((await api.post(`/conversations/${c.id}/messages`, { body: 'Customer is happy', kind: 'note' })).status).toBe(201);
    expect(await unreadOf(api, c.id)).toBe(false);
    const colleague = await addUser(deps, acct.account, { role: 'agent', name: 'Bea' });
    expect((await apiClient(app, colleague.token).post(`/conversations/${c.id}/messages`, { body: 'Noted', kind: 'note' })).status).toBe(201);
    expect(await unreadOf(api, c.id)).toBe(false);
  });

  it('reads up to the newest message the agent was shown: mail that arrived after the screen was drawn stays unread', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const api = apiClient(app, acct.token);
    const c = await addConversation(deps, acct.account, acct.inbox.id, 'Late mail', { contactEmail: 'ann@customer.test' });
    const customerIds = async () => ((await api.get(`/conversations/${c.id}/messages`)).body.items as Array<{ id: string; direction: string; kind: string }>).filter((m) => m.direction === 'in' && m.kind === 'message').map((m) => m.id);
    const [first] = await customerIds();
    // The thread is on screen with the first message; a second arrives before the app says "read".
    await customerWrites(deps, c, 'And another thing');
    const read = await api.post<ConversationT>(`/conversations/${c.id}/read`, { upToMessageId: first });
    expect(read.status).toBe(200);
    expect(read.body.unread).toBe(true);
    const second = (await customerIds()).at(-1)!;
    expect((await api.post<ConversationT>(`/conversations/${c.id}/read`, { upToMessageId: second })).body.unread).toBe(false);
    // Reading up to an older message again takes nothing back.
    expect((await api.post<ConversationT>(`/conversations/${c.id}/read`, { upToMessageId: first })).body.unread).toBe(false);
    // A message of another conversation is not this one's: 404; anything else is a 400.
    const other = await addConversation(deps, acct.account, acct.inbox.id, 'Other', { contactEmail: 'bob@customer.test' });
    const [othersMessage] = ((await api.get(`/conversations/${other.id}/messages`)).body.items as Array<{ id: string }>).map((m) => m.id);
    expect((await api.post(`/conversations/${c.id}/read`, { upToMessageId: othersMessage })).status).toBe(404);
    expect((await api.post(`/conversations/${c.id}/read`, { upToMessageId: 42 })).status).toBe(400);
  });

  it('marks unread until read again, also a conversation without any customer message', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const api = apiClient(app, acct.token);
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    expect((await api.post(`/conversations/${c.id}/read`)).status).toBe(200);

    const unread = await api.post<ConversationT>(`/conversations/${c.id}/unread`);
    expect(unread.status).toBe(200);
    expect(unread.body.unread).toBe(true);
    // Twice is the same as once: it stays unread, and one read undoes it.
    expect((await api.post<ConversationT>(`/conversations/${c.id}/unread`)).body.unread).toBe(true);
    expect(await unreadOf(api, c.id)).toBe(true);
    expect((await api.post<ConversationT>(`/conversations/${c.id}/read`)).body.unread).toBe(false);

    // A conversation without any customer message (one an agent started) is read…
    const [quiet] = await seedConversations(deps.store.db, { accountId: acct.account.id, inboxId: acct.inbox.id, contactIds: [], n: 1, firstNumber: 100 });
    expect(await unreadOf(api, quiet!)).toBe(false);
    // …and can still be marked unread, and read again.
    expect((await api.post<ConversationT>(`/conversations/${quiet}/unread`)).body.unread).toBe(true);
    expect(await unreadOf(api, quiet!)).toBe(true);
    expect((await api.post<ConversationT>(`/conversations/${quiet}/read`)).body.unread).toBe(false);
  });

  it("keeps each agent's state their own: reading does not change a colleague's, in objects, lists, cached pages or counts", async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const a = apiClient(app, (await addUser(deps, acct.account, { role: 'agent', name: 'Ada' })).token);
    const b = apiClient(app, (await addUser(deps, acct.account, { role: 'agent', name: 'Ben' })).token);
    const c = await addConversation(deps, acct.account, acct.inbox.id, 'Shared question');
    const list = `/conversations?inboxId=${acct.inbox.id}&status=open`;

    // Both lists are cached under the same event_seq and scope: B's page must not become A's.
    expect((await b.get(list)).body.items[0].unread).toBe(true);
    expect((await a.get(list)).body.items[0].unread).toBe(true);
    expect((await a.post(`/conversations/${c.id}/read`)).status).toBe(200);
    expect((await a.get(list)).body.items[0].unread).toBe(false);
    expect((await b.get(list)).body.items[0].unread).toBe(true);
    expect(await unreadOf(b, c.id)).toBe(true);
    expect((await a.get<ViewCountsT>(`/conversations/counts?inboxId=${acct.inbox.id}`)).body.views.open).toEqual({ total: 1, unread: 0 });
    expect((await b.get<ViewCountsT>(`/conversations/counts?inboxId=${acct.inbox.id}`)).body.views.open).toEqual({ total: 1, unread: 1 });

    // B marking unread and reading leaves A's state alone too.
    expect((await b.post(`/conversations/${c.id}/read`)).status).toBe(200);
    expect((await a.post(`/conversations/${c.id}/unread`)).status).toBe(200);
    expect(await unreadOf(b, c.id)).toBe(false);
    expect((await b.get(list)).body.items[0].unread).toBe(false);
    expect((await a.get(list)).body.items[0].unread).toBe(true);
  });

  it('counts each view as its list, for the caller', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Cy' });
    const api = apiClient(app, agent.token);
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await addConversation(deps, acct.account, acct.inbox.id, `Question ${i}`));
    const [mine1, mine2, theirs, snoozed, closed, , readOne] = made;
    await api.post(`/conversations/${mine1!.id}/assign`, { assigneeId: agent.user.id });
    await api.post(`/conversations/${mine2!.id}/assign`, { assigneeId: agent.user.id });
    await owner.post(`/conversations/${theirs!.id}/assign`, { assigneeId: acct.owner.id });
    await api.post(`/conversations/${snoozed!.id}/snooze`, { until: new Date(Date.now() + 86_400_000).toISOString() });
    await api.post(`/conversations/${closed!.id}/close`);
    await api.post(`/conversations/${readOne!.id}/read`);
    await api.post(`/conversations/${mine2!.id}/read`);
    // Another inbox's conversations are not counted in this one.
    const other = await owner.post('/inboxes', { name: 'Billing', access: 'everyone' });
    await addConversation(deps, acct.account, other.body.id, 'Elsewhere');

    const counts = await api.get<ViewCountsT>(`/conversations/counts?inboxId=${acct.inbox.id}`);
    expect(counts.status).toBe(200);
    expect(counts.body).toMatchObject({ inboxId: acct.inbox.id, limit: 10_000 });
    expect(counts.body.views).toEqual({
      unassigned: { total: 2, unread: 1 },
      mine: { total: 2, unread: 1 },
      open: { total: 5, unread: 3 },
      snoozed: { total: 1, unread: 1 },
      closed: { total: 1, unread: 1 },
    });
    // The lists agree, view by view.
    const filters = { unassigned: 'status=open&assigneeId=unassigned', mine: 'status=open&assigneeId=me', open: 'status=open', snoozed: 'status=snoozed', closed: 'status=closed' } as const;
    for (const [view, filter] of Object.entries(filters) as [keyof typeof filters, string][]) {
      const all = await api.get(`/conversations?inboxId=${acct.inbox.id}&${filter}`);
      const unread = await api.get(`/conversations?inboxId=${acct.inbox.id}&${filter}&unread=true`);
      expect({ view, total: all.body.items.length, unread: unread.body.items.length }).toEqual({ view, ...counts.body.views[view] });
    }

    // A new customer message shows at once (the cached counts are keyed by event_seq).
    await customerWrites(deps, readOne!);
    expect((await api.get<ViewCountsT>(`/conversations/counts?inboxId=${acct.inbox.id}`)).body.views.unassigned).toEqual({ total: 2, unread: 2 });
  });

  it('stops counting at the limit, and says so', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const api = apiClient(app, acct.token);
    await seedConversations(deps.store.db, { accountId: acct.account.id, inboxId: acct.inbox.id, contactIds: [], n: COUNT_LIMIT + 1, distinctTimes: 100, status: () => 'closed' });
    // Every one with a customer message nobody has read (as the migration's backfill would count them).
    await sql`update conversations set inbound_count = 1 where inbox_id = ${acct.inbox.id}`.execute(deps.store.db);
    const counts = await api.get<ViewCountsT>(`/conversations/counts?inboxId=${acct.inbox.id}`);
    expect(counts.body.limit).toBe(COUNT_LIMIT);
    expect(counts.body.views.closed).toEqual({ total: COUNT_LIMIT, unread: COUNT_LIMIT });
    expect(counts.body.views.open).toEqual({ total: 0, unread: 0 });
  });

  it('refuses what the caller may not see, as the other routes do, and bad input with a code', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Di' });
    const api = apiClient(app, agent.token);
    const legal = await owner.post('/inboxes', { name: 'Legal', access: 'specific', userIds: [acct.owner.id] });
    expect(legal.status).toBe(201);
    const secret = await addConversation(deps, acct.account, legal.body.id, 'Confidential');

    for (const path of [`/conversations/${secret.id}/read`, `/conversations/${secret.id}/unread`]) {
      const res = await api.post(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const counts = await api.get(`/conversations/counts?inboxId=${legal.body.id}`);
    expect(counts.status).toBe(404);
    expect(counts.body.error.code).toBe('not_found');
    // The list shows nothing of it either.
    expect((await api.get(`/conversations?inboxId=${legal.body.id}`)).body.items).toEqual([]);
    // Another account's inbox is as unknown.
    const stranger = await makeAccount(deps);
    expect((await apiClient(app, stranger.token).get(`/conversations/counts?inboxId=${acct.inbox.id}`)).status).toBe(404);

    // An admin who may only view the inbox keeps their own read state there.
    const admin = apiClient(app, (await addUser(deps, acct.account, { role: 'admin', name: 'Eve' })).token);
    expect((await admin.post<ConversationT>(`/conversations/${secret.id}/read`)).body.unread).toBe(false);
    expect((await admin.get<ViewCountsT>(`/conversations/counts?inboxId=${legal.body.id}`)).body.views.open).toEqual({ total: 1, unread: 0 });

    const missing = await api.get('/conversations/counts');
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('validation_failed');
    expect((await api.get('/conversations/counts?inboxId=nope')).status).toBe(400);
    const badFilter = await api.get('/conversations?unread=yes');
    expect(badFilter.status).toBe(400);
    expect(typeof badFilter.body.error.message).toBe('string');
    expect((await api.post('/conversations/nope/read')).status).toBe(400);
  });

  it('tells only the reader’s own sockets, and removes markers with their conversation', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const ada = await addUser(deps, acct.account, { role: 'agent', name: 'Ada' });
    const ben = await addUser(deps, acct.account, { role: 'agent', name: 'Ben' });
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    const adaSocket = await openSocket(`${wsUrl}?token=${ada.token}`);
    const benSocket = await openSocket(`${wsUrl}?token=${ben.token}`);
    await adaSocket.subscribe();
    await benSocket.subscribe();

    expect((await apiClient(app, ada.token).post(`/conversations/${c.id}/read`)).status).toBe(200);
    // Then an event both may see: once it reached Ben, he has been sent everything before it.
    expect((await apiClient(app, acct.token).post(`/conversations/${c.id}/close`)).status).toBe(200);
    const got = await adaSocket.waitFor((m) => m.event?.type === 'conversation.read', 'conversation.read');
    expect(got.event?.data).toEqual({ userId: ada.user.id, conversationId: c.id });
    await benSocket.waitFor((m) => m.event?.type === 'conversation.updated', 'conversation.updated');
    expect(benSocket.events().map((m) => m.event!.type)).not.toContain('conversation.read');
    await adaSocket.close();
    await benSocket.close();

    const markers = () => deps.store.db.selectFrom('conversation_reads').select('user_id').where('conversation_id', '=', c.id).execute();
    expect(await markers()).toHaveLength(1);
    expect((await apiClient(app, acct.token).delete(`/conversations/${c.id}`)).status).toBe(204);
    expect(await markers()).toHaveLength(0);
  });
});
