// Conversation search (issue 5): conversations whose subject, one of whose messages or notes
// (not activity lines), or whose contact's name or email has every word of the query as a word
// prefix; newest activity first. Always through an index, never a leading-wildcard LIKE.
// Filtered by the same inbox scope as the conversation list (inbox-access.ts), so nothing from
// an inbox the user cannot see is found, counted or shown. The text indexes are store-specific
// (search-match.ts).
import type { Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { DialectName } from '../db/connect.ts';
import { inboxIn } from '../db/dialect.ts';
import { inboxScope } from './inbox-access.ts';
import { textMatch } from './search-match.ts';

export interface SearchInput {
  q: string;
  /** Rows to return (the caller asks one more than a page to know whether there is a next). */
  limit: number;
  /** Keyset cursor: the last row's [last_activity_at, id]. */
  after?: [string, string];
  /** The account's access_version if the request already read it (see inboxScope). */
  accessVersion?: number;
}

/** At most this many words are matched: more narrows nothing useful and costs index lookups. */
const MAX_TERMS = 8;

/** The query's words, lower-cased: letters and digits only, so they are safe in either index's syntax. */
export function searchTerms(q: string): string[] {
  return [...new Set(q.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_TERMS);
}

export async function searchConversations(db: Kysely<Database>, dialect: DialectName, user: Pick<Row<'users'>, 'id' | 'account_id' | 'role'>, input: SearchInput): Promise<Row<'conversations'>[]> {
  const terms = searchTerms(input.q);
  const scope = await inboxScope(db, user, input.accessVersion);
  if (terms.length === 0 || scope.inboxIds.length === 0) return [];
  let q = db.selectFrom('conversations').selectAll().where('account_id', '=', user.account_id);
  if (!scope.all) q = q.where(inboxIn(dialect, 'conversations.inbox_id', scope.inboxIds));
  q = q.where(textMatch(dialect, user.account_id, terms));
  if (input.after) {
    const [at, lastId] = input.after;
    q = q.where((eb) => eb.or([eb('last_activity_at', '<', at), eb.and([eb('last_activity_at', '=', at), eb('id', '<', lastId)])]));
  }
  return q.orderBy('last_activity_at', 'desc').orderBy('id', 'desc').limit(input.limit).execute();
}
