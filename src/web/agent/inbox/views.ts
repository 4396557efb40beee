// The inbox views (saved filters within the current inbox) and their API filters.
import type { ConversationFilter } from '../api/endpoints.ts';

export interface InboxView {
  slug: string;
  label: string;
  filter: Omit<ConversationFilter, 'inboxId'>;
  empty: string;
}

export const VIEWS: InboxView[] = [
  { slug: 'unassigned', label: 'Unassigned', filter: { status: 'open', assigneeId: 'unassigned' }, empty: 'No unassigned conversations. Nice work.' },
  { slug: 'mine', label: 'Assigned to me', filter: { status: 'open', assigneeId: 'me' }, empty: 'Nothing is assigned to you right now.' },
  { slug: 'open', label: 'All open', filter: { status: 'open' }, empty: 'No open conversations.' },
  { slug: 'snoozed', label: 'Snoozed', filter: { status: 'snoozed' }, empty: 'No snoozed conversations.' },
  { slug: 'closed', label: 'Closed', filter: { status: 'closed' }, empty: 'No closed conversations.' },
];

export const DEFAULT_VIEW = 'open';

export function viewBySlug(slug: string | undefined): InboxView {
  return VIEWS.find((v) => v.slug === slug) ?? VIEWS.find((v) => v.slug === DEFAULT_VIEW)!;
}
