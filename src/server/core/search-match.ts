// The store-specific part of search (search.ts): "this conversation's subject or one of its
// messages matches every term as a prefix", as a condition on the conversations table.
// - SQLite: the FTS5 table search_fts, whose rowids search_docs maps to conversations (one row
//   for the subject, one per message and note); triggers keep both (migration 0007).
// - PostgreSQL: GIN indexes on to_tsvector('simple', ...) of messages.text (activity lines
//   left out) and conversations.subject (migration 0007). The expressions here must stay
//   exactly those of the indexes, or PostgreSQL cannot use them.
// Terms are letters and digits only (search.ts), so they cannot break either query syntax.
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from '../db/connect.ts';

export function textMatch(dialect: DialectName, accountId: string, terms: string[]): RawBuilder<boolean> {
  if (dialect === 'sqlite') {
    const match = terms.map((t) => `"${t}"*`).join(' ');
    return sql<boolean>`conversations.id in (select d.conversation_id from search_fts f join search_docs d on d.id = f.rowid where search_fts match ${match})`;
  }
  const query = terms.map((t) => `${t}:*`).join(' & ');
  return sql<boolean>`(to_tsvector('simple', conversations.subject) @@ to_tsquery('simple', ${query})
    or conversations.id in (select m.conversation_id from messages m where m.account_id = ${accountId} and m.kind <> 'activity'
      and to_tsvector('simple', m.text) @@ to_tsquery('simple', ${query})))`;
}
