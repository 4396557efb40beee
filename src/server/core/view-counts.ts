// How many conversations each view of an inbox holds, and how many of them are unread for the
// caller (GET /conversations/counts). The views are the app's (shared/inbox-views.ts), so a count
// is the length of the list the app shows for it. Counting stops at COUNT_LIMIT: an inbox with a
// million closed conversations costs a bounded index walk, and the app says "10,000+".
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { INBOX_VIEW_FILTERS, INBOX_VIEW_SLUGS, type InboxViewFilter, type InboxViewSlug } from '../../shared/inbox-views.ts';
import { unreadFor } from './conversation-reads.ts';

export const COUNT_LIMIT = 10_000;

export type ViewCounts = Record<InboxViewSlug, { total: number; unread: number }>;

/**
 * The caller must be allowed to see the inbox (the route checks, as the list's scope does). One
 * statement of ten capped counts: one round trip and one pooled connection per request.
 */
export async function countViews(db: Kysely<Database>, input: { accountId: string; inboxId: string; userId: string }): Promise<ViewCounts> {
  const matching = (filter: InboxViewFilter, unreadOnly: boolean) => {
    let q = db.selectFrom('conversations').select('conversations.id').where('conversations.account_id', '=', input.accountId).where('conversations.inbox_id', '=', input.inboxId).where('conversations.status', '=', filter.status);
    if (filter.assigneeId === 'unassigned') q = q.where('conversations.assignee_id', 'is', null);
    else if (filter.assigneeId === 'me') q = q.where('conversations.assignee_id', '=', input.userId);
    if (unreadOnly) q = q.where(unreadFor(input.userId));
    return db.selectFrom(q.limit(COUNT_LIMIT).as('capped')).select((eb) => eb.fn.countAll<number | string>().as('n'));
  };
  const row: Record<string, unknown> = await db
    .selectNoFrom(INBOX_VIEW_SLUGS.flatMap((slug) => [matching(INBOX_VIEW_FILTERS[slug], false).as(`${slug}_total`), matching(INBOX_VIEW_FILTERS[slug], true).as(`${slug}_unread`)]))
    .executeTakeFirstOrThrow();
  const counts = {} as ViewCounts;
  for (const slug of INBOX_VIEW_SLUGS) counts[slug] = { total: Number(row[`${slug}_total`]), unread: Number(row[`${slug}_unread`]) };
  return counts;
}
