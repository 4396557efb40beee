// Loads what routing.ts needs to decide an automatic assignment, then asks routing.ts (pure) for
// the decision. Every fact is read fresh in one query, in the deciding transaction: a seat,
// availability, deactivation, membership or access change is seen by the next decision. The
// inbox's settings come from this process's cache, checked by the inbox's automation_revision
// that the same query reads (migration 0010), so a settings change made by any process is too.
//
// Why the query ranks: loading a 200-member team's facts to pick one member cost ~1 ms on
// SQLite and ~2 ms on PostgreSQL (bench/assignment-decision.ts), against a goal of 1 ms for the
// whole decision. So for "Specific users and teams" the query walks user_assignment_rank's index
// in routing.ts's order (fewest open, idle longest, smallest id; migration 0009) and stops at the
// first user routing.ts would accept; routing.ts then checks that row by its own rules, so a
// disagreement could only leave a conversation unassigned, never assign it to someone
// ineligible (test/assignment-facts.test.ts compares the two on random teams).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Availability, Database, Role, Row, Seat } from '../db/schema.ts';
import { loadAutomation, type AutomationSettings } from './automation-settings.ts';
import { cachedAutomation } from './automation-cache.ts';
import { canAct, rightFrom } from './policies.ts';
import { decideAssignee, type Candidate, type RoutingDecision } from './routing.ts';

type Inbox = Pick<Row<'inboxes'>, 'id' | 'account_id' | 'access'>;

interface CandidateRow {
  id: string;
  role: Role;
  seat: Seat;
  availability: Availability;
  deactivated_at: string | null;
  open_count: number;
  last_assigned_at: string | null;
  /** SQLite answers 0/1, PostgreSQL a boolean. */
  granted: number | boolean;
  target_team: string | null;
}

/** The inbox's revision, and a candidate or (none) nulls from the left join. */
type RevisedRow = { revision: number } & (CandidateRow | { [K in keyof CandidateRow]: null });

const list = (ids: readonly string[]) => sql.join([...ids]);

/** The candidates query (null when no candidate can be chosen under these settings). */
function candidatesQuery(inbox: Inbox, settings: AutomationSettings, contactOwnerId: string | null): RawBuilder<CandidateRow> | null {
  const byOwner = settings.assignTo === 'contact_owner';
  const { targetUserIds: users, targetTeamIds: teams } = settings;
  if (!settings.autoAssign || (byOwner ? !contactOwnerId : users.length + teams.length === 0)) return null;
  // A grant on the inbox names the user or one of their teams (policies.ts's "granted").
  const granted = sql<boolean>`exists (select 1 from inbox_access_grants g where g.inbox_id = ${inbox.id}
    and (g.user_id = r.user_id or g.team_id in (select gm.team_id from team_members gm where gm.user_id = r.user_id)))`;
  const targetTeam = teams.length ? sql`(select min(tm.team_id) from team_members tm where tm.user_id = r.user_id and tm.team_id in (${list(teams)}))` : sql`null`;
  let filter: RawBuilder<unknown>;
  if (byOwner) filter = sql`r.user_id = ${contactOwnerId}`;
  else {
    // routing.ts's rules for "Specific users and teams": a target, active, paid, can act in the
    // inbox ("everyone", or granted), available when asked; then its order, which is the index's
    // (ids and ISO times are fixed-format ASCII: every collation orders them as JavaScript's <).
    // The CROSS JOIN keeps SQLite on that index: with ANALYZE statistics saying an account's
    // users are few, it scanned and sorted them all instead (~8 times slower). PostgreSQL reads
    // it as an inner join.
    const named: RawBuilder<unknown>[] = [];
    if (users.length) named.push(sql`r.user_id in (${list(users)})`);
    if (teams.length) named.push(sql`exists (select 1 from team_members m where m.user_id = r.user_id and m.team_id in (${list(teams)}))`);
    filter = sql`(${sql.join(named, sql` or `)}) and u.deactivated_at is null and u.seat = 'paid'
      ${settings.availableOnly ? sql`and u.availability = 'available'` : sql``}
      ${inbox.access === 'everyone' ? sql`` : sql`and ${granted}`}
      order by r.open_count, r.last_assigned_at nulls first, r.user_id limit 1`;
  }
  return sql<CandidateRow>`select u.id, u.role, u.seat, u.availability, u.deactivated_at, r.open_count, r.last_assigned_at,
      ${inbox.access === 'everyone' ? sql`0` : granted} as granted, ${targetTeam} as target_team
    from user_assignment_rank r cross join users u
    where r.account_id = ${inbox.account_id} and u.id = r.user_id and ${filter}`;
}

/**
 * One query: the inbox's automation_revision (null: no such inbox) and the candidates routing.ts
 * needs under `settings`: the contact owner alone, or the best eligible target alone (none when
 * nobody is eligible). `teamIds` lists one of the candidate's teams among the targets, which is
 * what routing.ts's target test reads. The candidates hang off the inbox row by a left join, so
 * the revision comes back when there are none.
 *
 * Written with the sql tag rather than the query builder: building this query with the builder
 * cost more than running it (~0.25 ms against ~0.07 ms on SQLite, bench/assignment-decision.ts).
 */
async function readCandidates(db: Kysely<Database>, inbox: Inbox, settings: AutomationSettings, contactOwnerId: string | null): Promise<{ revision: number | null; candidates: Candidate[] }> {
  const candidates = candidatesQuery(inbox, settings, contactOwnerId);
  if (!candidates) {
    const { rows } = await sql<{ revision: number }>`select automation_revision as revision from inboxes where id = ${inbox.id}`.execute(db);
    return { revision: rows[0]?.revision ?? null, candidates: [] };
  }
  const { rows } = await sql<RevisedRow>`select i.automation_revision as revision, c.* from inboxes i left join (${candidates}) c on true where i.id = ${inbox.id}`.execute(db);
  return { revision: rows[0]?.revision ?? null, candidates: rows.flatMap((u) => (u.id === null ? [] : [candidateFrom(inbox, u)])) };
}

function candidateFrom(inbox: Inbox, u: CandidateRow): Candidate {
  return {
    id: u.id,
    seat: u.seat,
    availability: u.availability,
    active: u.deactivated_at === null,
    canAct: canAct(rightFrom(inbox.access, Boolean(u.granted), u.role)),
    teamIds: u.target_team ? [u.target_team] : [],
    openCount: u.open_count,
    lastAssignedAt: u.last_assigned_at,
  };
}

/** A decision and the settings it was made under, for the new conversation's other steps (its ticket). */
export interface AutomaticAssignment extends RoutingDecision {
  settings: AutomationSettings;
}

const decide = (settings: AutomationSettings, candidates: Candidate[], contactOwnerId: string | null): AutomaticAssignment => ({
  ...(settings.autoAssign ? decideAssignee(settings, candidates, contactOwnerId) : { assigneeId: null, reason: 'disabled', emailOwnerId: null }),
  settings,
});

/**
 * The whole DB-backed decision for a new conversation in `inbox` from a contact with that owner.
 * Usually one query: the candidates under this process's cached settings, with the inbox's
 * revision; when that is not the cached one (or nothing is cached), the settings are read
 * afresh (and kept) and the candidates again. `settings`: decide under these instead (tests).
 */
export async function decideAutomaticAssignment(db: Kysely<Database>, inbox: Inbox, contactOwnerId: string | null, settings?: AutomationSettings): Promise<AutomaticAssignment> {
  const under = async (s: AutomationSettings) => decide(s, s.autoAssign ? (await readCandidates(db, inbox, s, contactOwnerId)).candidates : [], contactOwnerId);
  if (settings) return under(settings);
  const cached = cachedAutomation(inbox.id);
  if (cached) {
    const { revision, candidates } = await readCandidates(db, inbox, cached.settings, contactOwnerId);
    if (revision === cached.revision) return decide(cached.settings, candidates, contactOwnerId);
  }
  return under(await loadAutomation(db, inbox.id));
}
