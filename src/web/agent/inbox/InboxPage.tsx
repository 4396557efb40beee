// The inbox: the "Current view" switcher and the views of the current inbox, the conversation
// list, and the selected conversation beside it (stacked on phones: list, then conversation).
import { useMemo } from 'react';
import { Link, NavLink, useNavigate, useParams, useSearchParams } from 'react-router';
import { Redirect } from '../ui/Redirect.tsx';
import type { MeT, UserT } from '../../../shared/api.ts';
import { useInboxes, useUsers } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';
import { InboxSwitcher } from './InboxSwitcher.tsx';
import { ConversationList } from './ConversationList.tsx';
import { ConversationPane } from './ConversationPane.tsx';
import { DEFAULT_VIEW, VIEWS, viewBySlug } from './views.ts';
import { SEARCH_VIEW, SearchBox, SearchResults, searchUrl } from './Search.tsx';
import { useTitle } from '../ui/useTitle.ts';

export function InboxPage({ me }: { me: MeT }) {
  const { inboxId, view: viewSlug, conversationId } = useParams();
  const inboxes = useInboxes();
  const users = useUsers();
  const navigate = useNavigate();
  const q = useSearchParams()[0].get('q') ?? '';
  const searching = viewSlug === SEARCH_VIEW;
  const current = inboxes.data?.find((i) => i.id === inboxId);
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

  return (
    <div className={conversationId ? 'inbox-page has-selection' : 'inbox-page'}>
      <aside className="inbox-sidebar" aria-label="Inbox views">
        <InboxSwitcher inboxes={all} value={inbox.id} onChange={(id) => navigate(`/inbox/${id}/${view.slug}`)} />
        <SearchBox inboxId={inbox.id} initial={q} />
        <nav className="views" aria-label="Views">
          {VIEWS.map((v) => (
            <NavLink key={v.slug} to={`/inbox/${inbox.id}/${v.slug}`} className={!searching && v.slug === view.slug ? 'view-link active' : 'view-link'} aria-current={!searching && v.slug === view.slug ? 'page' : undefined}>
              {v.label}
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
                {v.label}
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
