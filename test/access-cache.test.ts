// The per-process rights cache and the maintained open counts (issue 5 "Speed", migration 0007),
// on SQLite and PostgreSQL:
// - a change to access made through one store handle (another process, in production) applies
//   at once to requests answered through another: the cache is keyed by the account's
//   access_version, which triggers bump in the changing transaction;
// - a rolled-back change leaves nothing cached;
// - user_assignment_rank.open_count equals a count of the open assigned conversations after every
//   workflow step (every user has a row: a missing one would read as NaN).
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addTeam, addUser } from './access-fixtures.ts';
import { createDeps, type Deps } from '../src/server/deps.ts';
import { inboxScope, rightInInbox } from '../src/server/core/inbox-access.ts';
import { newId } from '../src/server/core/ids.ts';

describeEachStore('rights cache and open counts', (store) => {
  let app: FastifyInstance;
  let other: Deps;
  let otherApp: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
    // A second handle on the same database, as a second process would have.
    other = await createDeps(store().config, { migrate: false, logger: pino({ level: 'silent' }) });
    otherApp = await testApp(other);
  });
  afterAll(async () => {
    await otherApp.close();
    await other.close();
    await app.close();
  });

  it('a change made through one store handle is seen at once through another', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const agent = await addUser(deps, acct.account, { role: 'agent' });
    const team = await addTeam(deps, acct.account, 'Billing', [agent.user.id]);
    const owner = apiClient(app, acct.token);
    const inbox = (await owner.post('/inboxes', { name: 'Billing', access: 'specific', userIds: [], teamIds: [team] })).body.id as string;
    const conv = await addConversation(deps, acct.account, inbox, 'Refund for order 77');
    const seen = async () => (await apiClient(otherApp, agent.token).get('/conversations')).body.items.map((c: { id: string }) => c.id);

    expect(await seen()).toEqual([conv.id]); // cached now
    // Through the first handle's API: the team loses the agent.
    expect((await owner.patch(`/teams/${team}`, { memberIds: [] })).status).toBe(200);
    expect(await seen()).toEqual([]);
    expect((await apiClient(otherApp, agent.token).get(`/conversations/${conv.id}`)).status).toBe(404);
    // Straight into the first handle's store (an import, a script): a grant to the agent.
    await deps.store.db.insertInto('inbox_access_grants').values({ id: newId(), inbox_id: inbox, user_id: agent.user.id, team_id: null }).execute();
    expect(await seen()).toEqual([conv.id]);
    expect(await rightInInbox(other.store.db, agent.user, inbox)).toBe('act');
    // The inbox opens to everyone, then is deleted.
    expect((await owner.put(`/inboxes/${inbox}/access`, { access: 'everyone', userIds: [], teamIds: [] })).status).toBe(200);
    expect((await inboxScope(other.store.db, agent.user)).all).toBe(true);
    expect((await owner.delete(`/inboxes/${inbox}`)).status).toBe(200);
    expect(await rightInInbox(other.store.db, agent.user, inbox)).toBe('none');
  });

  it('a rolled-back access change leaves nothing behind in the cache', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const agent = await addUser(deps, acct.account, { role: 'agent' });
    const owner = apiClient(app, acct.token);
    const inbox = (await owner.post('/inboxes', { name: 'Secret', access: 'specific', userIds: [], teamIds: [] })).body.id as string;
    expect(await rightInInbox(deps.store.db, agent.user, inbox)).toBe('none');
    await expect(
      deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, async (ctx) => {
        await ctx.db.insertInto('inbox_access_grants').values({ id: newId(), inbox_id: inbox, user_id: agent.user.id, team_id: null }).execute();
        expect(await rightInInbox(ctx.db, agent.user, inbox)).toBe('act');
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rightInInbox(deps.store.db, agent.user, inbox)).toBe('none');
    expect(await rightInInbox(other.store.db, agent.user, inbox)).toBe('none');
  });

  it('keeps each user’s open count equal to their open assigned conversations through the workflow', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const acct = await makeAccount(deps);
    const a = await addUser(deps, acct.account, { role: 'agent' });
    const b = await addUser(deps, acct.account, { role: 'agent' });
    const owner = apiClient(app, acct.token);
    const closed = (await owner.post('/inboxes', { name: 'Closed shop', access: 'specific', userIds: [b.user.id], teamIds: [] })).body.id as string;
    const doomed = (await owner.post('/inboxes', { name: 'Doomed', access: 'everyone', userIds: [], teamIds: [] })).body.id as string;
    const [c1, c2, c3] = [await addConversation(deps, acct.account, acct.inbox.id), await addConversation(deps, acct.account, acct.inbox.id), await addConversation(deps, acct.account, doomed)];
    const check = async () => {
      const counted = await db
        .selectFrom('conversations')
        .select((eb) => ['assignee_id', eb.fn.countAll<string | number>().as('n')])
        .where('status', '=', 'open')
        .where('assignee_id', 'in', [a.user.id, b.user.id])
        .groupBy('assignee_id')
        .execute();
      const kept = await db.selectFrom('user_assignment_rank').select(['user_id', 'open_count']).where('user_id', 'in', [a.user.id, b.user.id]).execute();
      const expected = Object.fromEntries([a.user.id, b.user.id].map((id) => [id, Number(counted.find((r) => r.assignee_id === id)?.n ?? 0)]));
      const actual = Object.fromEntries([a.user.id, b.user.id].map((id) => [id, Number(kept.find((r) => r.user_id === id)?.open_count)]));
      expect(actual).toEqual(expected);
      return actual;
    };
    const agentA = apiClient(app, a.token);
    expect((await agentA.post(`/conversations/${c1.id}/assign`, { assigneeId: a.user.id })).status).toBe(200);
    expect((await agentA.post(`/conversations/${c2.id}/assign`, { assigneeId: a.user.id })).status).toBe(200);
    expect((await agentA.post(`/conversations/${c3.id}/assign`, { assigneeId: b.user.id })).status).toBe(200);
    expect(await check()).toEqual({ [a.user.id]: 2, [b.user.id]: 1 });
    await agentA.post(`/conversations/${c1.id}/close`);
    expect(await check()).toEqual({ [a.user.id]: 1, [b.user.id]: 1 });
    await agentA.post(`/conversations/${c2.id}/snooze`, { until: new Date(Date.now() + 3600_000).toISOString() });
    await agentA.post(`/conversations/${c1.id}/reopen`);
    await agentA.post(`/conversations/${c1.id}/assign`, { assigneeId: b.user.id });
    expect(await check()).toEqual({ [a.user.id]: 0, [b.user.id]: 2 });
    // Moving to an inbox the assignee cannot act in unassigns; deleting an inbox moves its conversations.
    await agentA.post(`/conversations/${c2.id}/reopen`);
    await agentA.post(`/conversations/${c2.id}/assign`, { assigneeId: a.user.id });
    expect((await apiClient(app, b.token).post(`/conversations/${c2.id}/move`, { inboxId: closed })).status).toBe(200);
    expect((await owner.delete(`/inboxes/${doomed}`)).status).toBe(200);
    expect(await check()).toEqual({ [a.user.id]: 0, [b.user.id]: 2 });
  });
});
