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

/** The caller must be allowed to see the inbox (the route checks, as the list's scope does). */
export async function countViews(db: Kysely<Database>, input: { accountId: string; inboxId: string; userId: string }): Promise<ViewCounts> {
  const count = async (filter: InboxViewFilter, unreadOnly: boolean): Promise<number> => {
    let q = db.selectFrom('conversations').select('conversations.id').where('conversations.account_id', '=', input.accountId).where('conversations.inbox_id', '=', input.inboxId).where('conversations.status', '=', filter.status);
    if (filter.assigneeId === 'unassigned') q = q.where('conversations.assignee_id', 'is', null);
    else if (filter.assigneeId === 'me') q = q.where('conversations.assignee_id', '=', input.userId);
    if (unreadOnly) q = q.where(unreadFor(input.userId));
    const row = await db
      .selectFrom(q.limit(COUNT_LIMIT).as('capped'))
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const entries = await Promise.all(
    INBOX_VIEW_SLUGS.map(async (slug) => {
      const filter = INBOX_VIEW_FILTERS[slug];
      const [total, unread] = await Promise.all([count(filter, false), count(filter, true)]);
      return [slug, { total, unread }] as const;
    }),
  );
  return Object.fromEntries(entries) as ViewCounts;
}
