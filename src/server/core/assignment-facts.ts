// Loads what routing.ts needs to decide an automatic assignment, in one query whatever the team
// size: the candidates (targets and their teams' members, or the contact owner) with seat,
// availability, open-conversation count and last assignment time. Their teams and their access
// to the inbox come from the rights cache (inbox-access.ts). Then asks routing.ts (pure) for
// the decision.
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import { accountAccess } from './inbox-access.ts';
import { loadAutomation, type AutomationSettings } from './automation-settings.ts';
import { decideAssignee, type Candidate, type RoutingDecision } from './routing.ts';

export async function loadCandidates(db: Kysely<Database>, inbox: Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>, settings: AutomationSettings, contactOwnerId: string | null): Promise<Candidate[]> {
  const byOwner = settings.assignTo === 'contact_owner';
  if (byOwner ? !contactOwnerId : settings.targetUserIds.length + settings.targetTeamIds.length === 0) return [];
  // One query for the candidates with their last assignment and open count (user_open_counts is
  // kept by triggers, migration 0007); their teams and grants come from the cached access table.
  const [users, access] = await Promise.all([
    db
      .selectFrom('users as u')
      .leftJoin('user_assignment_state as s', 's.user_id', 'u.id')
      .leftJoin('user_open_counts as o', 'o.user_id', 'u.id')
      .select(['u.id', 'u.role', 'u.seat', 'u.availability', 'u.deactivated_at', 's.last_assigned_at', 'o.open_count'])
      .where('u.account_id', '=', inbox.account_id)
      .where((eb) => {
        if (byOwner) return eb('u.id', '=', contactOwnerId!);
        const named = [];
        if (settings.targetUserIds.length) named.push(eb('u.id', 'in', settings.targetUserIds));
        if (settings.targetTeamIds.length) named.push(eb('u.id', 'in', eb.selectFrom('team_members').select('user_id').where('team_id', 'in', settings.targetTeamIds)));
        return eb.or(named);
      })
      .execute(),
    accountAccess(db, inbox.account_id),
  ]);
  return users.map((u) => ({
    id: u.id,
    seat: u.seat,
    availability: u.availability,
    active: u.deactivated_at === null,
    canAct: access.rightIn(u, inbox.id) === 'act',
    teamIds: access.teamsOf(u.id),
    openCount: Number(u.open_count ?? 0),
    lastAssignedAt: u.last_assigned_at ?? null,
  }));
}

/** The whole DB-backed decision for a new conversation in `inbox` from a contact with that owner. */
export async function decideAutomaticAssignment(db: Kysely<Database>, inbox: Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>, contactOwnerId: string | null, settings?: AutomationSettings): Promise<RoutingDecision> {
  const s = settings ?? (await loadAutomation(db, inbox.id));
  if (!s.autoAssign) return { assigneeId: null, reason: 'disabled', emailOwnerId: null };
  return decideAssignee(s, await loadCandidates(db, inbox, s, contactOwnerId), contactOwnerId);
}
