// assignment-facts.ts against routing.ts, on SQLite and PostgreSQL. The loader's query applies
// routing.ts's eligibility and order itself (so a decision reads one row, not the whole team):
// - on random worlds (seats, availability, deactivation, teams, grants, open counts, last
//   assignment times with ties and never-assigned users, every setting) the DB-backed decision
//   equals routing.ts's pure decision over every user's facts;
// - a change to any eligibility fact is seen by the very next decision;
// - the settings are cached per process but checked by the inbox's automation_revision in the
//   same query: a change made through updateAutomation, by a direct write (another server) or by
//   a cascade is seen by the very next decision, a rolled-back change never is, the common case
//   is one query, and the cache is bounded.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import type { KyselyPlugin } from 'kysely';
import { decideAutomaticAssignment } from '../src/server/core/assignment-facts.ts';
import { updateAutomation, type AutomationSettings } from '../src/server/core/automation-settings.ts';
import { AUTOMATION_CACHE_CAPACITY, automationCacheSize, cachedAutomation, keepAutomation } from '../src/server/core/automation-cache.ts';
import { decideAssignee, type Candidate } from '../src/server/core/routing.ts';
import { canAct, rightFrom } from '../src/server/core/policies.ts';
import { newId } from '../src/server/core/ids.ts';
import type { Deps } from '../src/server/deps.ts';
import type { InboxAccess, Role, Row } from '../src/server/db/schema.ts';

let seed = 20261201;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const some = <T>(xs: readonly T[], p: number): T[] => xs.filter(() => rand() < p);

async function addUsers(deps: Deps, account: Row<'accounts'>, n: number): Promise<Row<'users'>[]> {
  const now = new Date().toISOString();
  const users: Row<'users'>[] = Array.from({ length: n }, (_, i) => ({
    id: newId(),
    account_id: account.id,
    email: `agent${i}-${newId()}@${account.subdomain}.test`,
    first_name: `Agent${i}`,
    last_name: '',
    password_hash: null,
    role: i % 5 === 0 ? 'admin' : 'agent',
    seat: 'paid',
    availability: 'available',
    notify_in_app: 1,
    notify_email: 1,
    created_at: now,
    deactivated_at: null,
  }));
  await deps.store.db.insertInto('users').values(users).execute();
  return users;
}

async function addTeam(deps: Deps, account: Row<'accounts'>, members: readonly string[]): Promise<string> {
  const id = newId();
  await deps.store.db.insertInto('teams').values({ id, account_id: account.id, name: `Team ${id}`, created_at: new Date().toISOString() }).execute();
  if (members.length) await deps.store.db.insertInto('team_members').values(members.map((user_id) => ({ team_id: id, user_id }))).execute();
  return id;
}

const settingsOf = (over: Partial<AutomationSettings>): AutomationSettings => ({
  autoAssign: true,
  assignTo: 'specific',
  availableOnly: true,
  targetUserIds: [],
  targetTeamIds: [],
  tickets: { enabled: false, pipelineId: null, stageId: null, ownerMode: 'assignee', ownerUserId: null },
  ...over,
});

/**
 * A "specific" inbox granted to A and B, assigning to their team; B is busier, so A wins while
 * eligible. `next` decides as a new conversation does (settings from the cache, checked).
 */
async function teamInbox(deps: Deps) {
  const db = deps.store.db;
  const acct = await makeAccount(deps);
  const [a, b] = await addUsers(deps, acct.account, 2);
  const team = await addTeam(deps, acct.account, [a!.id, b!.id]);
  const inboxId = newId();
  await db.insertInto('inboxes').values({ id: inboxId, account_id: acct.account.id, name: 'Billing', is_default: 0, access: 'specific', created_at: new Date().toISOString() }).execute();
  await db.insertInto('inbox_access_grants').values([a!, b!].map((u) => ({ id: newId(), inbox_id: inboxId, user_id: u.id, team_id: null }))).execute();
  await db.insertInto('automation_settings').values({ inbox_id: inboxId, auto_assign: 1, assign_to: 'specific', available_only: 1 }).execute();
  await db.insertInto('automation_targets').values({ id: newId(), inbox_id: inboxId, user_id: null, team_id: team }).execute();
  await db.updateTable('user_assignment_rank').set({ open_count: 1 }).where('user_id', '=', b!.id).execute();
  const inbox = { id: inboxId, account_id: acct.account.id, access: 'specific' as const };
  const next = async (on = db) => (await decideAutomaticAssignment(on, inbox, null)).assigneeId;
  return { acct, a: a!, b: b!, team, inbox, next };
}

describeEachStore('automatic assignment: the DB-backed decision', (store) => {
  it('equals routing.ts on random worlds', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const acct = await makeAccount(deps);
    const users = await addUsers(deps, acct.account, 14);
    const teams = [newId(), newId(), newId()];
    for (const t of teams) await db.insertInto('teams').values({ id: t, account_id: acct.account.id, name: `Team ${t}`, created_at: new Date().toISOString() }).execute();
    const specific = newId();
    await db.insertInto('inboxes').values({ id: specific, account_id: acct.account.id, name: 'Specific', is_default: 0, access: 'specific', created_at: new Date().toISOString() }).execute();
    const inboxes: { id: string; access: InboxAccess }[] = [
      { id: acct.inbox.id, access: 'everyone' },
      { id: specific, access: 'specific' },
    ];
    // Few distinct values, so ties on open count and on last assignment are common.
    const times = [null, '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];
    const roles: Role[] = ['agent', 'admin', 'super_admin'];
    let assigned = 0;
    for (let round = 0; round < 60; round++) {
      // The world.
      const facts = new Map<string, Omit<Candidate, 'canAct' | 'teamIds'> & { role: Role }>();
      for (const u of users) {
        const f = {
          id: u.id,
          role: pick(roles),
          seat: rand() < 0.2 ? ('free' as const) : ('paid' as const),
          availability: rand() < 0.3 ? ('away' as const) : ('available' as const),
          active: rand() > 0.15,
          openCount: Math.floor(rand() * 3),
          lastAssignedAt: pick(times),
        };
        facts.set(u.id, f);
        await db
          .updateTable('users')
          .set({ role: f.role, seat: f.seat, availability: f.availability, deactivated_at: f.active ? null : '2026-01-01T00:00:00.000Z' })
          .where('id', '=', u.id)
          .execute();
        await db.updateTable('user_assignment_rank').set({ open_count: f.openCount, last_assigned_at: f.lastAssignedAt }).where('user_id', '=', u.id).execute();
      }
      await db.deleteFrom('team_members').where('team_id', 'in', teams).execute();
      const teamsOf = new Map<string, string[]>(users.map((u) => [u.id, []]));
      const memberships = teams.flatMap((team_id) => some(users, 0.4).map((u) => ({ team_id, user_id: u.id })));
      for (const m of memberships) teamsOf.get(m.user_id)!.push(m.team_id);
      if (memberships.length) await db.insertInto('team_members').values(memberships).execute();
      await db.deleteFrom('inbox_access_grants').where('inbox_id', '=', specific).execute();
      const grantedUsers = some(users, 0.3).map((u) => u.id);
      const grantedTeams = some(teams, 0.4);
      const grants = [...grantedUsers.map((user_id) => ({ user_id, team_id: null })), ...grantedTeams.map((team_id) => ({ user_id: null, team_id }))];
      if (grants.length) await db.insertInto('inbox_access_grants').values(grants.map((g) => ({ id: newId(), inbox_id: specific, ...g }))).execute();

      // The question.
      const inbox = { ...pick(inboxes), account_id: acct.account.id };
      const settings = settingsOf({
        assignTo: rand() < 0.25 ? 'contact_owner' : 'specific',
        availableOnly: rand() < 0.7,
        targetUserIds: some(users, 0.3).map((u) => u.id),
        targetTeamIds: some(teams, 0.5),
      });
      const owner = rand() < 0.9 ? pick(users).id : null;

      const everyone: Candidate[] = users.map((u) => {
        const f = facts.get(u.id)!;
        const granted = grantedUsers.includes(u.id) || teamsOf.get(u.id)!.some((t) => grantedTeams.includes(t));
        return { ...f, canAct: canAct(rightFrom(inbox.access, granted, f.role)), teamIds: teamsOf.get(u.id)! };
      });
      const expected = decideAssignee(settings, everyone, owner);
      const actual = await decideAutomaticAssignment(db, inbox, owner, settings);
      expect({ round, ...actual }).toEqual({ round, ...expected, settings });
      if (actual.assigneeId) assigned++;
    }
    // The worlds exercised both outcomes.
    expect(assigned).toBeGreaterThan(10);
    expect(assigned).toBeLessThan(60);
  });

  it('reads every eligibility fact fresh: a change is seen by the very next decision', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const { a, b, team, inbox, next } = await teamInbox(deps);
    const inboxId = inbox.id;
    expect(await next()).toBe(a.id);

    const changes: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
      ['seat to free', () => db.updateTable('users').set({ seat: 'free' }).where('id', '=', a.id).execute(), () => db.updateTable('users').set({ seat: 'paid' }).where('id', '=', a.id).execute()],
      ['away', () => db.updateTable('users').set({ availability: 'away' }).where('id', '=', a.id).execute(), () => db.updateTable('users').set({ availability: 'available' }).where('id', '=', a.id).execute()],
      [
        'deactivated',
        () => db.updateTable('users').set({ deactivated_at: new Date().toISOString() }).where('id', '=', a.id).execute(),
        () => db.updateTable('users').set({ deactivated_at: null }).where('id', '=', a.id).execute(),
      ],
      [
        'removed from the team',
        () => db.deleteFrom('team_members').where('team_id', '=', team).where('user_id', '=', a.id).execute(),
        () => db.insertInto('team_members').values({ team_id: team, user_id: a.id }).execute(),
      ],
      [
        'access revoked',
        () => db.deleteFrom('inbox_access_grants').where('inbox_id', '=', inboxId).where('user_id', '=', a.id).execute(),
        () => db.insertInto('inbox_access_grants').values({ id: newId(), inbox_id: inboxId, user_id: a.id, team_id: null }).execute(),
      ],
      [
        'more open conversations',
        () => db.updateTable('user_assignment_rank').set({ open_count: 2 }).where('user_id', '=', a.id).execute(),
        () => db.updateTable('user_assignment_rank').set({ open_count: 0 }).where('user_id', '=', a.id).execute(),
      ],
      [
        'inbox turned off',
        () => db.updateTable('automation_settings').set({ auto_assign: 0 }).where('inbox_id', '=', inboxId).execute(),
        () => db.updateTable('automation_settings').set({ auto_assign: 1 }).where('inbox_id', '=', inboxId).execute(),
      ],
    ];
    for (const [what, change, undo] of changes) {
      await change();
      expect({ what, next: await next() }).toEqual({ what, next: what === 'inbox turned off' ? null : b.id });
      await undo();
      expect({ what, undone: await next() }).toEqual({ what, undone: a.id });
    }
    // With B on a free seat, A away leaves nobody.
    await db.updateTable('users').set({ seat: 'free' }).where('id', '=', b.id).execute();
    await db.updateTable('users').set({ availability: 'away' }).where('id', '=', a.id).execute();
    expect(await next()).toBeNull();
  });

  it('ranks by open count kept by triggers and by the last assignment time', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const acct = await makeAccount(deps);
    const [a, b] = await addUsers(deps, acct.account, 2);
    const rank = async () => db.selectFrom('user_assignment_rank').select(['user_id', 'account_id', 'open_count', 'last_assigned_at']).where('user_id', 'in', [a!.id, b!.id]).orderBy('user_id').execute();
    // Every new user has a row: no open conversations, never assigned.
    expect(await rank()).toEqual([a!, b!].sort((x, y) => (x.id < y.id ? -1 : 1)).map((u) => ({ user_id: u.id, account_id: acct.account.id, open_count: 0, last_assigned_at: null })));
    const settings = settingsOf({ targetUserIds: [a!.id, b!.id] });
    const inbox = { id: acct.inbox.id, account_id: acct.account.id, access: 'everyone' as const };
    const first = [a!.id, b!.id].sort()[0];
    expect((await decideAutomaticAssignment(db, inbox, null, settings)).assigneeId).toBe(first);
    // An open conversation assigned to the first makes the other the pick.
    const now = new Date().toISOString();
    await db
      .insertInto('conversations')
      .values({ id: newId(), account_id: acct.account.id, number: 1000, inbox_id: acct.inbox.id, channel_id: null, contact_id: null, status: 'open', snoozed_until: null, assignee_id: first!, subject: 's', preview: '', reply_token: newId(), last_activity_at: now, created_at: now, closed_at: null })
      .execute();
    const other = first === a!.id ? b!.id : a!.id;
    expect((await decideAutomaticAssignment(db, inbox, null, settings)).assigneeId).toBe(other);
    // Closing it ties them again; the one assigned least recently (never) wins.
    await db.updateTable('conversations').set({ status: 'closed' }).where('assignee_id', '=', first!).execute();
    await db.updateTable('user_assignment_rank').set({ last_assigned_at: now }).where('user_id', '=', other).execute();
    expect((await decideAutomaticAssignment(db, inbox, null, settings)).assigneeId).toBe(first);
  });

  it('sees an automation settings change at the very next decision, however it was made', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const { acct, a, b, team, inbox, next } = await teamInbox(deps);
    const settings = async () => (await decideAutomaticAssignment(db, inbox, null)).settings;
    expect(await next()).toBe(a.id);
    expect(cachedAutomation(inbox.id)?.settings.targetTeamIds).toEqual([team]);

    // Through the use case: B alone.
    const admin = { kind: 'user' as const, user: acct.owner, account: acct.account, via: 'cli' as const };
    const tickets = { enabled: false, pipelineId: null, stageId: null, ownerMode: 'assignee' as const, ownerUserId: null };
    await deps.run(admin, (ctx) =>
      updateAutomation(ctx, { inboxId: inbox.id, settings: { autoAssign: true, assignTo: 'specific', availableOnly: true, targetUserIds: [b.id], targetTeamIds: [], tickets } }),
    );
    expect(await next()).toBe(b.id);
    // Direct writes, as another server's: A alone; off; on; the ticket defaults.
    await db.updateTable('automation_targets').set({ user_id: a.id }).where('inbox_id', '=', inbox.id).execute();
    expect(await next()).toBe(a.id);
    await db.updateTable('automation_settings').set({ auto_assign: 0 }).where('inbox_id', '=', inbox.id).execute();
    expect(await next()).toBeNull();
    await db.updateTable('automation_settings').set({ auto_assign: 1 }).where('inbox_id', '=', inbox.id).execute();
    expect(await next()).toBe(a.id);
    const pipelineId = newId();
    await db.insertInto('pipelines').values({ id: pipelineId, account_id: acct.account.id, name: 'Escalations', is_default: 0, position: 1, created_at: new Date().toISOString() }).execute();
    await db.updateTable('ticket_settings').set({ treat_as_tickets: 1, pipeline_id: pipelineId }).where('inbox_id', '=', inbox.id).execute();
    expect((await settings()).tickets).toMatchObject({ enabled: true, pipelineId });

    // Cascades: a deleted pipeline clears the ticket default; a deleted team or user drops its targets.
    await db.deleteFrom('pipelines').where('id', '=', pipelineId).execute();
    expect((await settings()).tickets).toMatchObject({ enabled: true, pipelineId: null });
    await db.insertInto('automation_targets').values({ id: newId(), inbox_id: inbox.id, user_id: null, team_id: team }).execute();
    expect(await settings()).toMatchObject({ targetUserIds: [a.id], targetTeamIds: [team] });
    await db.deleteFrom('teams').where('id', '=', team).execute();
    expect(await settings()).toMatchObject({ targetUserIds: [a.id], targetTeamIds: [] });
    await db.deleteFrom('users').where('id', '=', a.id).execute();
    expect(await settings()).toMatchObject({ targetUserIds: [], targetTeamIds: [] });
    expect(await next()).toBeNull();
    // A deleted inbox (its settings cascade with it) has none.
    await db.insertInto('automation_targets').values({ id: newId(), inbox_id: inbox.id, user_id: b.id, team_id: null }).execute();
    expect(await next()).toBe(b.id);
    await db.deleteFrom('inboxes').where('id', '=', inbox.id).execute();
    expect(await settings()).toMatchObject({ autoAssign: false, targetUserIds: [] });
  });

  it('never takes a rolled-back settings change for a later committed one', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const { b, inbox, next } = await teamInbox(deps);
    class Rollback extends Error {}
    // Inside the transaction its own change is seen (and may be cached), then discarded.
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('automation_settings').set({ auto_assign: 0 }).where('inbox_id', '=', inbox.id).execute();
        expect(await next(trx)).toBeNull();
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    // A revision counted up from the same value would now equal the discarded one's.
    await db.updateTable('automation_targets').set({ team_id: null, user_id: b.id }).where('inbox_id', '=', inbox.id).execute();
    expect(await next()).toBe(b.id);
  });

  it('decides in one query while the settings are unchanged, and in three after a change', async () => {
    const deps = store().deps;
    let queries = 0;
    const counting: KyselyPlugin = { transformQuery: ({ node }) => node, transformResult: async ({ result }) => (queries++, result) };
    const db = deps.store.db.withPlugin(counting);
    const { a, inbox, next } = await teamInbox(deps);
    const counted = async () => {
      queries = 0;
      return { next: await next(db), queries };
    };
    await next(db);
    expect(await counted()).toEqual({ next: a.id, queries: 1 });
    // Stale: the candidates under the cached settings, the settings, the candidates again.
    await db.updateTable('automation_settings').set({ available_only: 0 }).where('inbox_id', '=', inbox.id).execute();
    expect(await counted()).toEqual({ next: a.id, queries: 3 });
    // Turned off: the revision alone tells the cached "off" is current.
    await db.updateTable('automation_settings').set({ auto_assign: 0 }).where('inbox_id', '=', inbox.id).execute();
    await next(db);
    expect(await counted()).toEqual({ next: null, queries: 1 });
  });
});

it('keeps at most AUTOMATION_CACHE_CAPACITY inboxes, dropping the least recently used', () => {
  const settings = settingsOf({});
  const ids = Array.from({ length: AUTOMATION_CACHE_CAPACITY + 1 }, () => newId());
  for (const id of ids.slice(0, -1)) keepAutomation(id, { revision: 1, settings });
  expect(cachedAutomation(ids[0]!)).toBeDefined(); // now the most recently used
  keepAutomation(ids.at(-1)!, { revision: 1, settings });
  expect(automationCacheSize()).toBe(AUTOMATION_CACHE_CAPACITY);
  expect(cachedAutomation(ids[0]!)).toBeDefined();
  expect(cachedAutomation(ids[1]!)).toBeUndefined();
  expect(cachedAutomation(ids.at(-1)!)).toBeDefined();
});
