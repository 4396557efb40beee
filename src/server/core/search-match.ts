// The store-specific part of search (search.ts): "this conversation's subject, one of its
// messages, or its contact's name or email matches every term as a word prefix", as a condition
// on the conversations table.
// - SQLite: FTS5 tables kept by triggers: search_fts (rowids mapped to conversations by
//   search_docs: one row for the subject, one per message and note; migration 0007) and
//   contact_fts (mapped by contact_docs; migration 0008).
// - PostgreSQL: GIN indexes on to_tsvector('simple', ...) of messages.text (activity lines left
//   out), conversations.subject (0007) and the contact's words (0008). The expressions here
//   must stay exactly those of the indexes, or PostgreSQL cannot use them.
// Terms are letters and digits only (search.ts), so they cannot break either query syntax.
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../db/connect.ts';

export function textMatch(dialect: DialectName, accountId: string, terms: string[]): RawBuilder<boolean> {
  // One IN over the union of the matches, so each store may drive the query from the matches
  // (rare words) or from the newest-first scan (common ones); an OR of separate conditions would
  // test every scanned conversation. Matches from other accounts are dropped by the outer query
  // (the subject branch names no account, so that only its GIN index fits it).
  if (dialect === 'sqlite') {
    const match = terms.map((t) => `"${t}"*`).join(' ');
    return sql<boolean>`conversations.id in (
      select d.conversation_id from search_fts f join search_docs d on d.id = f.rowid where search_fts match ${match}
      union
      select cv.id from conversations cv where cv.contact_id in (${contactIds(dialect, accountId, terms)}))`;
  }
  const query = terms.map((t) => `${t}:*`).join(' & ');
  return sql<boolean>`conversations.id in (
    select cv.id from conversations cv where to_tsvector('simple', cv.subject) @@ to_tsquery('simple', ${query})
    union
    select m.conversation_id from messages m where m.account_id = ${accountId} and m.kind <> 'activity' and to_tsvector('simple', m.text) @@ to_tsquery('simple', ${query})
    union
    select cv.id from conversations cv where cv.contact_id in (${contactIds(dialect, accountId, terms)}))`;
}

/** The ids of the account's contacts whose name or email matches every term as a word prefix (the Contacts list's search too). */
export function contactIds(dialect: DialectName, accountId: string, terms: string[]): RawBuilder<string> {
  if (dialect === 'sqlite') {
    // contact_fts holds every account's contacts; callers keep to their account (as the outer queries do).
    return sql<string>`select d.contact_id from contact_fts f join contact_docs d on d.id = f.rowid where contact_fts match ${terms.map((t) => `"${t}"*`).join(' ')}`;
  }
  return sql<string>`select c.id from contacts c where c.account_id = ${accountId}
      and to_tsvector('simple', c.name || ' ' || translate(coalesce(c.email, ''), '@.+_-', '     ')) @@ to_tsquery('simple', ${terms.map((t) => `${t}:*`).join(' & ')})`;
}
