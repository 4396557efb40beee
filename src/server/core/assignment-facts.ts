// Loads what routing.ts needs to decide an automatic assignment, in three queries run side by
// side whatever the team size: the candidates (targets and their teams' members, or the contact
// owner) with seat, availability, open-conversation count and last assignment time; their
// teams; the inbox's grants (access to the inbox). Then asks routing.ts (pure) for the decision.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { inboxRight } from './policies.ts';
import { loadAutomation, type AutomationSettings } from './automation-settings.ts';
import { decideAssignee, type Candidate, type RoutingDecision } from './routing.ts';

export async function loadCandidates(db: Kysely<Database>, inbox: Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>, settings: AutomationSettings, contactOwnerId: string | null): Promise<Candidate[]> {
  const byOwner = settings.assignTo === 'contact_owner';
  if (byOwner ? !contactOwnerId : settings.targetUserIds.length + settings.targetTeamIds.length === 0) return [];
  // Three queries side by side (one round trip on PostgreSQL's pool), all naming the candidates
  // by the same condition rather than by a list of their ids: the candidates with their last
  // assignment and open count (user_open_counts is kept by triggers, migration 0007), their
  // teams, and the inbox's grants.
  const isCandidate = (eb: ExpressionBuilder<Database & { u: Database['users'] }, 'u'>, column: 'u.id') => {
    if (byOwner) return eb(column, '=', contactOwnerId!);
    const named = [];
    if (settings.targetUserIds.length) named.push(eb(column, 'in', settings.targetUserIds));
    if (settings.targetTeamIds.length) named.push(eb(column, 'in', eb.selectFrom('team_members').select('user_id').where('team_id', 'in', settings.targetTeamIds)));
    return eb.or(named);
  };
  const [users, memberships, grants] = await Promise.all([
    db
      .selectFrom('users as u')
      .leftJoin('user_assignment_state as s', 's.user_id', 'u.id')
      .leftJoin('user_open_counts as o', 'o.user_id', 'u.id')
      .select(['u.id', 'u.role', 'u.seat', 'u.availability', 'u.deactivated_at', 's.last_assigned_at', 'o.open_count'])
      .where('u.account_id', '=', inbox.account_id)
      .where((eb) => isCandidate(eb, 'u.id'))
      .execute(),
    db
      .selectFrom('team_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.team_id', 'm.user_id'])
      .where('u.account_id', '=', inbox.account_id)
      .where((eb) => isCandidate(eb, 'u.id'))
      .execute(),
    inbox.access === 'specific' ? db.selectFrom('inbox_access_grants').select(['user_id', 'team_id']).where('inbox_id', '=', inbox.id).execute() : Promise.resolve([]),
  ]);
  if (users.length === 0) return [];
  const teamsOf = new Map<string, string[]>();
  for (const m of memberships) teamsOf.set(m.user_id, [...(teamsOf.get(m.user_id) ?? []), m.team_id]);
  const grantedUserIds = new Set(grants.flatMap((g) => (g.user_id ? [g.user_id] : [])));
  const grantedTeamIds = new Set(grants.flatMap((g) => (g.team_id ? [g.team_id] : [])));
  return users.map((u) => {
    const teamIds = teamsOf.get(u.id) ?? [];
    return {
      id: u.id,
      seat: u.seat,
      availability: u.availability,
      active: u.deactivated_at === null,
      canAct: inboxRight({ id: u.id, role: u.role, teamIds: new Set(teamIds) }, { access: inbox.access, grantedUserIds, grantedTeamIds }) === 'act',
      teamIds,
      openCount: Number(u.open_count ?? 0),
      lastAssignedAt: u.last_assigned_at ?? null,
    };
  });
}

/** The whole DB-backed decision for a new conversation in `inbox` from a contact with that owner. */
export async function decideAutomaticAssignment(db: Kysely<Database>, inbox: Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>, contactOwnerId: string | null, settings?: AutomationSettings): Promise<RoutingDecision> {
  const s = settings ?? (await loadAutomation(db, inbox.id));
  if (!s.autoAssign) return { assigneeId: null, reason: 'disabled', emailOwnerId: null };
  return decideAssignee(s, await loadCandidates(db, inbox, s, contactOwnerId), contactOwnerId);
}
