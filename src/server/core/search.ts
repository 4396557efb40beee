// Conversation search (issue 5): conversations whose subject, one of whose messages or notes
// (not activity lines), or whose contact's name or email has every word of the query as a word
// prefix; newest activity first. A query "#n" finds conversation number n. Always through an index, never a leading-wildcard LIKE.
// Filtered by the same inbox scope as the conversation list (inbox-access.ts), so nothing from
// an inbox the user cannot see is found, counted or shown. The text indexes are store-specific
// (search-match.ts).
import { sql, type Kysely } from 'kysely';
import type { Database, Row } from '../db/schema.ts';
import type { DialectName } from '../db/connect.ts';
import { inboxIn } from '../db/dialect.ts';
import { inboxScope } from './inbox-access.ts';
import { textMatch } from './search-match.ts';
import { snippetAround } from './search-snippet.ts';
import { searchTerms } from '../../shared/search-terms.ts';

export interface SearchInput {
  q: string;
  /** Rows to return (the caller asks one more than a page to know whether there is a next). */
  limit: number;
  /** Keyset cursor: the last row's [last_activity_at, id]. */
  after?: [string, string];
  /** The account's access_version if the request already read it (see inboxScope). */
  accessVersion?: number;
}


export async function searchConversations(db: Kysely<Database>, dialect: DialectName, user: Pick<Row<'users'>, 'id' | 'account_id' | 'role'>, input: SearchInput): Promise<Row<'conversations'>[]> {
  const terms = searchTerms(input.q);
  const scope = await inboxScope(db, user, input.accessVersion);
  if (terms.length === 0 || scope.inboxIds.length === 0) return [];
  let q = db.selectFrom('conversations').selectAll().where('account_id', '=', user.account_id);
  if (!scope.all) q = q.where(inboxIn(dialect, 'conversations.inbox_id', scope.inboxIds));
  // "#297" is conversation number 297 (how agents quote one to each other), not a word.
  const byNumber = /^\s*#(\d{1,9})\s*$/.exec(input.q);
  q = byNumber ? q.where('number', '=', Number(byNumber[1])) : q.where(textMatch(dialect, user.account_id, terms));
  if (input.after) {
    const [at, lastId] = input.after;
    q = q.where((eb) => eb.or([eb('last_activity_at', '<', at), eb.and([eb('last_activity_at', '=', at), eb('id', '<', lastId)])]));
  }
  return q.orderBy('last_activity_at', 'desc').orderBy('id', 'desc').limit(input.limit).execute();
}

/** Messages per conversation looked at for a snippet, newest first. */
const SNIPPET_CANDIDATES = 3;

/**
 * For each of the conversations found, the line to show under it: from its newest message or note
 * where a word of the query starts a word. Conversations found by their subject or contact alone
 * get none (the list shows their preview). Only the page's conversations are read.
 */
export async function searchSnippets(db: Kysely<Database>, conversationIds: readonly string[], q: string): Promise<Map<string, string>> {
  const terms = searchTerms(q);
  const snippets = new Map<string, string>();
  if (terms.length === 0 || conversationIds.length === 0) return snippets;
  // Terms are letters and digits only (searchTerms), so they need no LIKE escaping.
  const anyTerm = sql.join(terms.map((t) => sql`lower(text) like ${`%${t}%`}`), sql` or `);
  const { rows } = await sql<{ conversation_id: string; text: string }>`select conversation_id, text from (
      select conversation_id, text, row_number() over (partition by conversation_id order by created_at desc, id desc) as n
      from messages where conversation_id in (${sql.join([...conversationIds])}) and kind <> 'activity' and (${anyTerm})
    ) m where n <= ${SNIPPET_CANDIDATES} order by conversation_id, n`.execute(db);
  for (const row of rows) {
    if (snippets.has(row.conversation_id)) continue;
    const snippet = snippetAround(row.text, terms);
    if (snippet) snippets.set(row.conversation_id, snippet);
  }
  return snippets;
}
