// Pure access rules (seed: "Manage access" and the notes under it). The one place that decides
// who may see and act in which inbox, and who may be assigned conversations:
// - An inbox is "Available to everyone" (the default) or limited to "Specific users and teams".
// - Super admins and admins (the seed's "Account access") can view every inbox but act only
//   where they are members ("cannot take actions in the inbox, such as replying to a thread,
//   unless they are selected as team member in the inbox's Access settings").
// - Everyone else sees only the inboxes they may act in.
// - Seats: "Incoming conversations can only be automatically assigned to users with a paid seat,
//   but free users can still assign and respond to unassigned conversations if they have access".
import type { Role, Seat } from '../db/schema.ts';
import { canManageSettings, isAdmin } from '../../shared/roles.ts';

export type InboxRight = 'act' | 'view' | 'none';

export interface InboxAccessFacts {
  access: 'everyone' | 'specific';
  grantedUserIds: ReadonlySet<string>;
  grantedTeamIds: ReadonlySet<string>;
}

export interface UserFacts {
  id: string;
  role: Role;
  teamIds: ReadonlySet<string>;
}

export function inboxRight(user: UserFacts, inbox: InboxAccessFacts): InboxRight {
  if (inbox.access === 'everyone') return 'act';
  if (inbox.grantedUserIds.has(user.id)) return 'act';
  for (const teamId of user.teamIds) if (inbox.grantedTeamIds.has(teamId)) return 'act';
  return rightWithoutGrant(user.role);
}

/** The right in a "specific" inbox that names neither the user nor one of their teams. */
export const rightWithoutGrant = (role: Role): InboxRight => (isAdmin(role) ? 'view' : 'none');

/** The same rule as inboxRight, for callers that already know whether a grant matches. */
export function rightFrom(access: 'everyone' | 'specific', granted: boolean, role: Role): InboxRight {
  if (access === 'everyone' || granted) return 'act';
  return rightWithoutGrant(role);
}

export { isAdmin, canManageSettings };
export const canView = (right: InboxRight): boolean => right !== 'none';
export const canAct = (right: InboxRight): boolean => right === 'act';
/** Only super admins may make or unmake super admins (an admin doing so would escalate). */
export const canGrantRole = (actorRole: Role, targetRole: Role): boolean => targetRole !== 'super_admin' || actorRole === 'super_admin';

/** Automatic assignment only ever picks paid seats. */
export const isPaidSeat = (user: { seat: Seat }): boolean => user.seat === 'paid';

export interface AssigneeFacts {
  id: string;
  seat: Seat;
  /** The candidate's right in the conversation's inbox. */
  right: InboxRight;
  deactivated: boolean;
}

export type AssignRefusal = { code: 'not_member' | 'deactivated' | 'free_seat'; message: string };

/**
 * May `candidate` be made the assignee of a conversation? `how` says who is choosing:
 * - 'auto': automatic assignment, and the users named as automation targets: paid seats only
 *   (seed: "If the user does not have access to a paid seat, you cannot include them in your
 *   automatic assignment rules").
 * - 'manual': an agent assigns by hand: any active user who can act in the inbox.
 * Returns null when allowed, else why not (the caller turns it into a DomainError).
 */
export function assignRefusal(candidate: AssigneeFacts, how: 'auto' | 'manual'): AssignRefusal | null {
  if (candidate.deactivated) return { code: 'deactivated', message: 'That user has been deactivated' };
  if (!canAct(candidate.right)) return { code: 'not_member', message: 'That user cannot act in this inbox: add them in the inbox’s Access settings first' };
  if (how === 'auto' && !isPaidSeat(candidate)) {
    return { code: 'free_seat', message: 'Only users with a paid seat can be assigned conversations automatically' };
  }
  return null;
}

/**
 * May this user (who can act in the inbox) change a conversation's assignee by hand? Paid seats
 * always; free seats while it is unassigned (seed: free users "can still assign and respond to
 * unassigned conversations"), and when it is their own, so one who took a conversation can hand
 * it over or let it go instead of being stuck with it. Null when allowed.
 */
export function manualAssignRefusal(actor: { id: string; seat: Seat }, conversation: { assigneeId: string | null }): AssignRefusal | null {
  if (isPaidSeat(actor) || conversation.assigneeId === null || conversation.assigneeId === actor.id) return null;
  return { code: 'free_seat', message: 'With a free seat you can assign only unassigned conversations or your own' };
}

/** Who sees an event from the journal: account-wide ones go to everyone in the account. */
export function canSeeEvent(event: { inboxId: string | null }, rights: ReadonlyMap<string, InboxRight>): boolean {
  return event.inboxId === null || canView(rights.get(event.inboxId) ?? 'none');
}
