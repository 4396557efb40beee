// Search (issue 5): the search field in the inbox sidebar and the results in the list pane, at
// /inbox/{inboxId}/search[/{conversationId}]?q=…. Results come from every inbox the user can
// see (the API applies the access policy); opening one keeps the query in the URL.
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import type { SearchResultT, UserT } from '../../../shared/api.ts';
import { searchTerms, wordStartPattern } from '../../../shared/search-terms.ts';
import { useSearch } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';
import { ConversationRows } from './ConversationList.tsx';

export const SEARCH_VIEW = 'search';

export const searchUrl = (inboxId: string, q: string, conversationId?: string) =>
  `/inbox/${inboxId}/${SEARCH_VIEW}${conversationId ? `/${conversationId}` : ''}?q=${encodeURIComponent(q)}`;

export function SearchBox({ inboxId, initial }: { inboxId: string; initial: string }) {
  const [text, setText] = useState(initial);
  // The field follows the URL's query (leaving search empties it) without remounting, which
  // would drop the keyboard focus on every search.
  const [shown, setShown] = useState(initial);
  if (initial !== shown) {
    setShown(initial);
    setText(initial);
  }
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) navigate(searchUrl(inboxId, text.trim()));
  };
  return (
    <form role="search" className="search-box" onSubmit={submit}>
      <input type="search" aria-label="Search conversations" placeholder="Search conversations" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
    </form>
  );
}

export function SearchResults({ inboxId, q, selectedId, usersById }: { inboxId: string; q: string; selectedId: string | undefined; usersById: Map<string, UserT> }) {
  const results = useSearch(q);
  if (!q.trim()) return <div className="list-status">Type words from a subject, a message, or a contact’s name or email.</div>;
  if (results.isPending) return <div className="list-status" role="status">Searching…</div>;
  if (results.isError) return <div className="alert alert-error" role="alert">{errorMessage(results.error)}</div>;
  const items = results.data.pages.flatMap((p) => p.items);
  if (items.length === 0) {
    return (
      <div className="empty-state" role="status">
        <p className="empty-title">No conversations match “{q}”.</p>
      </div>
    );
  }
  // A snippet exists only where a word of q matched, so the pattern has words.
  const wordStarts = wordStartPattern(searchTerms(q));
  return (
    <ConversationRows
      items={items}
      hrefOf={(c) => searchUrl(inboxId, q, c.id)}
      selectedId={selectedId}
      usersById={usersById}
      more={results}
      previewOf={(c: SearchResultT) => (c.snippet ? <Highlighted text={c.snippet} pattern={wordStarts} /> : c.preview)}
    />
  );
}

/** `text` with what `pattern` (wordStartPattern) matches marked; React escapes every part. */
function Highlighted({ text, pattern }: { text: string; pattern: RegExp }) {
  const parts = text.split(pattern);
  return <>{parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}</>;
}
