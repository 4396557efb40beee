// Loads what routing.ts needs to decide an automatic assignment, in a handful of queries
// whatever the team size: the inbox's rules, the candidates (targets and their teams' members,
// or the contact owner) with seat, availability, access to the inbox, open-conversation count
// and last assignment time. Then asks routing.ts (pure) for the decision.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { inboxRight } from './policies.ts';
import { loadAutomation, type AutomationSettings } from './automation-settings.ts';
import { decideAssignee, type Candidate, type RoutingDecision } from './routing.ts';

export async function loadCandidates(db: Kysely<Database>, inbox: Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>, settings: AutomationSettings, contactOwnerId: string | null): Promise<Candidate[]> {
  let userIds: string[];
  if (settings.assignTo === 'contact_owner') {
    userIds = contactOwnerId ? [contactOwnerId] : [];
  } else {
    const viaTeams = settings.targetTeamIds.length
      ? await db.selectFrom('team_members').select('user_id').where('team_id', 'in', settings.targetTeamIds).execute()
      : [];
    userIds = [...new Set([...settings.targetUserIds, ...viaTeams.map((m) => m.user_id)])];
  }
  if (userIds.length === 0) return [];
  const users = await db
    .selectFrom('users')
    .select(['id', 'role', 'seat', 'availability', 'deactivated_at'])
    .where('account_id', '=', inbox.account_id)
    .where('id', 'in', userIds)
    .execute();
  if (users.length === 0) return [];
  const ids = users.map((u) => u.id);
  const [memberships, grants, state] = await Promise.all([
    db.selectFrom('team_members').select(['team_id', 'user_id']).where('user_id', 'in', ids).execute(),
    inbox.access === 'specific' ? db.selectFrom('inbox_access_grants').select(['user_id', 'team_id']).where('inbox_id', '=', inbox.id).execute() : Promise.resolve([]),
    db.selectFrom('user_assignment_state').selectAll().where('user_id', 'in', ids).execute(),
  ]);
  const teamsOf = new Map<string, string[]>();
  for (const m of memberships) teamsOf.set(m.user_id, [...(teamsOf.get(m.user_id) ?? []), m.team_id]);
  const grantedUserIds = new Set(grants.flatMap((g) => (g.user_id ? [g.user_id] : [])));
  const grantedTeamIds = new Set(grants.flatMap((g) => (g.team_id ? [g.team_id] : [])));
  const lastBy = new Map(state.map((s) => [s.user_id, s.last_assigned_at]));
  const candidates: Candidate[] = users.map((u) => {
    const teamIds = teamsOf.get(u.id) ?? [];
    return {
      id: u.id,
      seat: u.seat,
      availability: u.availability,
      active: u.deactivated_at === null,
      canAct: inboxRight({ id: u.id, role: u.role, teamIds: new Set(teamIds) }, { access: inbox.access, grantedUserIds, grantedTeamIds }) === 'act',
      teamIds,
      openCount: 0,
      lastAssignedAt: lastBy.get(u.id) ?? null,
    };
  });
  // Open conversations are counted only for those who can be picked (the count is the costly
  // part: one index range per user); the others keep 0, which routing.ts never looks at.
  const countable = candidates.filter((c) => c.active && c.seat === 'paid' && c.canAct && (!settings.availableOnly || c.availability === 'available')).map((c) => c.id);
  if (settings.assignTo === 'specific' && countable.length) {
    const open = await db
      .selectFrom('conversations')
      .select((eb) => ['assignee_id', eb.fn.countAll<string | number>().as('n')])
      .where('assignee_id', 'in', countable)
      .where('status', '=', 'open')
      .groupBy('assignee_id')
      .execute();
    const openBy = new Map(open.map((o) => [o.assignee_id, Number(o.n)]));
    for (const c of candidates) c.openCount = openBy.get(c.id) ?? 0;
  }
  return candidates;
}

/** The whole DB-backed decision for a new conversation in `inbox` from a contact with that owner. */
export async function decideAutomaticAssignment(db: Kysely<Database>, inbox: Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>, contactOwnerId: string | null, settings?: AutomationSettings): Promise<RoutingDecision> {
  const s = settings ?? (await loadAutomation(db, inbox.id));
  if (!s.autoAssign) return { assigneeId: null, reason: 'disabled', emailOwnerId: null };
  return decideAssignee(s, await loadCandidates(db, inbox, s, contactOwnerId), contactOwnerId);
}
