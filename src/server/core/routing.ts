// Automatic assignment (seed: the Automation tab), as a pure, deterministic decision: given the
// inbox's rules and the facts about each candidate, who gets a new incoming conversation.
// No I/O here; core/assignment-facts.ts loads the facts, new-conversation.ts applies the result.
//
// Rules:
// - "Automatically assign conversations" off: unassigned.
// - "Specific users and teams": the targets are the named users plus the members of the named
//   teams. Eligible = active, paid seat, can act in the inbox, and (with "Assign to available
//   users only", on by default) availability 'available'. Among the eligible, the one with the
//   fewest open conversations (status 'open', across the account) wins; ties go to the one idle
//   longest, i.e. with the oldest last-assignment time (never assigned counts as oldest); a
//   remaining tie goes to the smallest user id, so the same facts always give the same answer.
// - "Contact owner": the contact's owner when eligible by the same test; otherwise unassigned.
//   When the owner is away, the owner is also emailed the message (seed: "If the owner is
//   offline, the submission will be emailed to the visitor's owner"), whether or not the
//   availability rule kept them from being assigned.
// - No eligible agent: unassigned.
import type { Availability, Seat } from '../db/schema.ts';

export type AssignTo = 'specific' | 'contact_owner';

export interface RoutingSettings {
  autoAssign: boolean;
  assignTo: AssignTo;
  availableOnly: boolean;
  targetUserIds: readonly string[];
  targetTeamIds: readonly string[];
}

export interface Candidate {
  id: string;
  seat: Seat;
  availability: Availability;
  active: boolean;
  /** May act (not only view) in the conversation's inbox. */
  canAct: boolean;
  teamIds: readonly string[];
  /** Open conversations assigned to the user now. */
  openCount: number;
  /** ISO time of the user's last assignment; null = never. */
  lastAssignedAt: string | null;
}

export type RoutingReason = 'disabled' | 'least_loaded' | 'no_eligible_target' | 'contact_owner' | 'no_contact_owner' | 'contact_owner_ineligible';

export interface RoutingDecision {
  assigneeId: string | null;
  reason: RoutingReason;
  /** The contact owner to email the message to because they are away; null otherwise. */
  emailOwnerId: string | null;
}

/** Eligible for automatic assignment, availability aside. */
function eligibleIgnoringAvailability(c: Candidate): boolean {
  return c.active && c.seat === 'paid' && c.canAct;
}

function eligible(c: Candidate, availableOnly: boolean): boolean {
  return eligibleIgnoringAvailability(c) && (!availableOnly || c.availability === 'available');
}

/**
 * True when a should be picked before b: fewer open, then idle longer, then smaller id.
 * assignment-facts.ts's query applies this order and eligible() in SQL to read only the winner;
 * test/assignment-facts.test.ts holds the two to the same answers.
 */
function before(a: Candidate, b: Candidate): boolean {
  if (a.openCount !== b.openCount) return a.openCount < b.openCount;
  if (a.lastAssignedAt !== b.lastAssignedAt) {
    if (a.lastAssignedAt === null) return true;
    if (b.lastAssignedAt === null) return false;
    return a.lastAssignedAt < b.lastAssignedAt;
  }
  return a.id < b.id;
}

export function isTarget(c: Candidate, settings: Pick<RoutingSettings, 'targetUserIds' | 'targetTeamIds'>): boolean {
  if (settings.targetUserIds.includes(c.id)) return true;
  return c.teamIds.some((t) => settings.targetTeamIds.includes(t));
}

export function decideAssignee(settings: RoutingSettings, candidates: readonly Candidate[], contactOwnerId: string | null): RoutingDecision {
  if (!settings.autoAssign) return { assigneeId: null, reason: 'disabled', emailOwnerId: null };

  if (settings.assignTo === 'contact_owner') {
    const owner = contactOwnerId === null ? undefined : candidates.find((c) => c.id === contactOwnerId);
    if (!owner) return { assigneeId: null, reason: 'no_contact_owner', emailOwnerId: null };
    const emailOwnerId = eligibleIgnoringAvailability(owner) && owner.availability === 'away' ? owner.id : null;
    if (eligible(owner, settings.availableOnly)) return { assigneeId: owner.id, reason: 'contact_owner', emailOwnerId };
    return { assigneeId: null, reason: 'contact_owner_ineligible', emailOwnerId };
  }

  const userTargets = new Set(settings.targetUserIds);
  const teamTargets = new Set(settings.targetTeamIds);
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (!userTargets.has(c.id) && !c.teamIds.some((t) => teamTargets.has(t))) continue;
    if (!eligible(c, settings.availableOnly)) continue;
    if (!best || before(c, best)) best = c;
  }
  return best ? { assigneeId: best.id, reason: 'least_loaded', emailOwnerId: null } : { assigneeId: null, reason: 'no_eligible_target', emailOwnerId: null };
}
