// Pure access rules (seed: "Manage access"). An inbox is "Available to everyone" or limited to
// "Specific users and teams". Super admins and admins (account access) can view every inbox but
// act only where they are members; everyone else sees only inboxes they may act in.
import type { Role } from '../db/schema.ts';

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
  return isAdmin(user.role) ? 'view' : 'none';
}

export const isAdmin = (role: Role): boolean => role === 'super_admin' || role === 'admin';
export const canView = (right: InboxRight): boolean => right !== 'none';
export const canAct = (right: InboxRight): boolean => right === 'act';
/** Settings (inboxes, channels, users, teams, automation) are for admins. */
export const canManageSettings = (role: Role): boolean => isAdmin(role);
