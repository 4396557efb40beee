// The inbox: the "Current view" switcher and the views of the current inbox with their counts,
// the conversation list, and the selected conversation beside it (stacked on phones: list, then
// conversation).
import { useMemo } from 'react';
import { Link, NavLink, useNavigate, useParams, useSearchParams } from 'react-router';
import { Redirect } from '../ui/Redirect.tsx';
import type { MeT, UserT, ViewCountsT } from '../../../shared/api.ts';
import type { InboxViewSlug } from '../../../shared/inbox-views.ts';
import { useInboxes, useUsers, useViewCounts } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';
import { InboxSwitcher } from './InboxSwitcher.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ConversationPane } from './ConversationPane.tsx';
import { DEFAULT_VIEW, VIEWS, viewBySlug } from './views.ts';
import { SEARCH_VIEW, SearchBox, SearchResults, searchUrl } from './Search.tsx';
import { useTitle } from '../ui/useTitle.ts';
import './unread.css';

/** A count as shown: counting stops at the server's limit, so that many reads "10,000+". */
function shownCount(n: number, limit: number): string {
  return n >= limit ? `${limit.toLocaleString()}+` : n.toLocaleString();
}

type ViewCount = ViewCountsT['views'][InboxViewSlug];

/** What a view's link says to screen readers: its label and counts as one phrase. */
function viewName(label: string, count: ViewCount | undefined, limit: number): string {
  if (!count) return label;
  const total = `${shownCount(count.total, limit)} ${count.total === 1 ? 'conversation' : 'conversations'}`;
  return count.unread > 0 ? `${label}, ${total}, ${shownCount(count.unread, limit)} unread` : `${label}, ${total}`;
}

/** A view's count and, when some are, its unread count. */
function ViewCounts({ count, limit }: { count: ViewCount; limit: number }) {
  return (
    <>
      {count.unread > 0 && <span className="view-unread">{shownCount(count.unread, limit)}</span>}
      <span className="view-total">{shownCount(count.total, limit)}</span>
    </>
  );
}

export function InboxPage({ me }: { me: MeT }) {
  const { inboxId, view: viewSlug, conversationId } = useParams();
  const inboxes = useInboxes();
  const users = useUsers();
  const navigate = useNavigate();
  const q = useSearchParams()[0].get('q') ?? '';
  const searching = viewSlug === SEARCH_VIEW;
  const current = inboxes.data?.find((i) => i.id === inboxId);
  const counts = useViewCounts(current?.id ?? '', current !== undefined);
  useTitle([searching ? `Search: ${q}` : viewBySlug(viewSlug).label, current?.name ?? 'Inbox'], !conversationId);
  const usersById = useMemo(() => new Map<string, UserT>((users.data ?? []).map((u) => [u.id, u])), [users.data]);

  if (inboxes.isPending) return <div className="page-status" role="status">Loading inboxes…</div>;
  if (inboxes.isError) return <div className="page-status"><div className="alert alert-error" role="alert">{errorMessage(inboxes.error)}</div></div>;
  const all = inboxes.data;
  if (all.length === 0) {
    return (
      <div className="empty-state">
        <p className="empty-title">You don't have access to any inbox yet.</p>
        <p>Ask an admin of {me.account.name} to give you access in Settings › Inboxes › Access.</p>
      </div>
    );
  }
  const inbox = all.find((i) => i.id === inboxId);
  if (!inbox) return <Redirect to={`/inbox/${all[0]!.id}/${DEFAULT_VIEW}`} />;
  const view = viewBySlug(viewSlug);
  const listUrl = searching ? searchUrl(inbox.id, q) : `/inbox/${inbox.id}/${view.slug}`;
  const heading = searching ? 'Search results' : view.label;
  // Counts of the inbox on screen only (not the previous one's while the new ones load).
  const viewCounts = counts.data?.inboxId === inbox.id ? counts.data : undefined;

  return (
    <div className={conversationId ? 'inbox-page has-selection' : 'inbox-page'}>
      <aside className="inbox-sidebar" aria-label="Inbox views">
        <InboxSwitcher inboxes={all} value={inbox.id} onChange={(id) => navigate(`/inbox/${id}/${view.slug}`)} />
        <SearchBox inboxId={inbox.id} initial={q} />
        <nav className="views" aria-label="Views">
          {VIEWS.map((v) => (
            <NavLink key={v.slug} to={`/inbox/${inbox.id}/${v.slug}`} className={!searching && v.slug === view.slug ? 'view-link active' : 'view-link'} aria-current={!searching && v.slug === view.slug ? 'page' : undefined}
              aria-label={viewCounts ? viewName(v.label, viewCounts.views[v.slug], viewCounts.limit) : undefined}
            >
              <span className="view-label">{v.label}</span>
              {viewCounts && <ViewCounts count={viewCounts.views[v.slug]} limit={viewCounts.limit} />}
            </NavLink>
          ))}
        </nav>
        {inbox.myAccess === 'view' && <p className="muted small sidebar-note">View only</p>}
        <Link to={`/settings/inboxes/${inbox.id}`} className="sidebar-settings small">
          Inbox settings
        </Link>
      </aside>
      <section className="list-pane" aria-label={searching ? 'Search results' : `${view.label} conversations`}>
        <header className="list-header">
          <h1>{heading}</h1>
          <select aria-label="View" className="view-select" value={searching ? SEARCH_VIEW : view.slug} onChange={(e) => navigate(`/inbox/${inbox.id}/${e.target.value}`)}>
            {/* While searching, every view is a change (so picking "All open" leaves the results). */}
            {searching && (
              <option value={SEARCH_VIEW} disabled hidden>
                Search
              </option>
            )}
            {VIEWS.map((v) => (
              <option key={v.slug} value={v.slug}>
                {viewCounts ? `${v.label} (${shownCount(viewCounts.views[v.slug].total, viewCounts.limit)})` : v.label}
              </option>
            ))}
          </select>
        </header>
        <div className="list-scroll">
          {searching ? (
            <SearchResults inboxId={inbox.id} q={q} selectedId={conversationId} usersById={usersById} />
          ) : (
            <ConversationList inbox={inbox} view={view} selectedId={conversationId} usersById={usersById} />
          )}
        </div>
      </section>
      <div className="conversation-pane">
        {conversationId ? (
          <ConversationPane key={conversationId} conversationId={conversationId} inboxes={all} backTo={listUrl} usersById={usersById} />
        ) : (
          <div className="empty-state pane-empty">
            <p className="empty-title">Select a conversation</p>
            <p>Pick a conversation from the list to read it here.</p>
          </div>
        )}
      </div>
    </div>
  );
}
