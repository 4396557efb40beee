// The inbox views (saved filters within the current inbox): their labels here, their filters in
// shared/inbox-views.ts, which the server counts by (GET /conversations/counts).
import type { ConversationFilter } from '../api/endpoints.ts';
import type { ConversationT } from '../../../shared/api.ts';
import { INBOX_VIEW_FILTERS, type InboxViewSlug } from '../../../shared/inbox-views.ts';

export interface InboxView {
  slug: InboxViewSlug;
  label: string;
  filter: Omit<ConversationFilter, 'inboxId'>;
  empty: string;
}

export const VIEWS: InboxView[] = [
  { slug: 'unassigned', label: 'Unassigned', filter: INBOX_VIEW_FILTERS.unassigned, empty: 'No unassigned conversations. Nice work.' },
  { slug: 'mine', label: 'Assigned to me', filter: INBOX_VIEW_FILTERS.mine, empty: 'Nothing is assigned to you right now.' },
  { slug: 'open', label: 'All open', filter: INBOX_VIEW_FILTERS.open, empty: 'No open conversations.' },
  { slug: 'snoozed', label: 'Snoozed', filter: INBOX_VIEW_FILTERS.snoozed, empty: 'No snoozed conversations.' },
  { slug: 'closed', label: 'Closed', filter: INBOX_VIEW_FILTERS.closed, empty: 'No closed conversations.' },
];

export const DEFAULT_VIEW = 'open';

export function viewBySlug(slug: string | undefined): InboxView {
  return VIEWS.find((v) => v.slug === slug) ?? VIEWS.find((v) => v.slug === DEFAULT_VIEW)!;
}

/** A conversation's address under the view of its own inbox that lists it (the view of its
 *  status: "All open" lists every open one, whoever it is assigned to), so the list beside it
 *  holds it. */
export const conversationHref = (c: Pick<ConversationT, 'id' | 'inboxId' | 'status'>): string => `/inbox/${c.inboxId}/${c.status}/${c.id}`;
