// Who can act in an inbox, by the server's rule (core/policies.ts rightFrom), for pickers that
// should offer only users the server would accept: whoever cannot act in an inbox is never
// assigned by routing, and the server refuses them as an assignee, a target or a ticket owner.
import type { InboxT, UserT } from '../../../shared/api.ts';

/** The inbox is everyone's, or the user is granted it directly or through one of their teams. */
export const actsIn = (inbox: InboxT, u: UserT): boolean =>
  inbox.access === 'everyone' || inbox.accessGrants.userIds.includes(u.id) || u.teamIds.some((t) => inbox.accessGrants.teamIds.includes(t));
