// The inbox views (the saved filters within one inbox), shared so the server counts exactly the
// conversations the app lists for each (GET /conversations/counts, web/agent/inbox/views.ts).
export const INBOX_VIEW_SLUGS = ['unassigned', 'mine', 'open', 'snoozed', 'closed'] as const;
export type InboxViewSlug = (typeof INBOX_VIEW_SLUGS)[number];

export interface InboxViewFilter {
  status: 'open' | 'snoozed' | 'closed';
  assigneeId?: 'me' | 'unassigned';
}

export const INBOX_VIEW_FILTERS: Record<InboxViewSlug, InboxViewFilter> = {
  unassigned: { status: 'open', assigneeId: 'unassigned' },
  mine: { status: 'open', assigneeId: 'me' },
  open: { status: 'open' },
  snoozed: { status: 'snoozed' },
  closed: { status: 'closed' },
};
