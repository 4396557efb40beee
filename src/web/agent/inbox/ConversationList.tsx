// The conversation list of one inbox view: contact, subject, preview, relative time, assignee
// and status; newest activity first, with "Load more" following the API's cursor. Rows the user
// has not read are bold, with a dot named "Unread" for screen readers.
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { ConversationT, InboxT, UserT } from '../../../shared/api.ts';
import { useConversations } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';
import { Avatar, fullTime, relativeTime } from '../ui/format.tsx';
import type { InboxView } from './views.ts';
import { contactName, SenderName } from './SenderName.tsx';
import './unread.css';

export function EmptyInbox({ inbox, view }: { inbox: InboxT; view: InboxView }) {
  const fallback = inbox.channels.find((c) => c.type === 'email' && c.email?.isFallback)?.email;
  return (
    <div className="empty-state" role="status">
      <svg width="40" height="40" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round">
        <path d="M22 12h-6l-2 3h-4l-2-3H2" />
        <path d="M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z" />
      </svg>
      {view.slug === 'open' || view.slug === 'unassigned' ? (
        <>
          <p className="empty-title">No conversations yet.</p>
          {fallback ? (
            <div className="empty-addresses">
              <p>Forward email to</p>
              <code className="address">{fallback.forwardingAddress}</code>
              <p>or send to</p>
              <code className="address">{fallback.inboundAddress}</code>
            </div>
          ) : (
            <p>Connect a channel in Settings to start receiving messages here.</p>
          )}
        </>
      ) : (
        <p className="empty-title">{view.empty}</p>
      )}
    </div>
  );
}

/** Rows of conversations with "Load more"; shared by the inbox views and search results. */
export function ConversationRows<C extends ConversationT>({
  items,
  hrefOf,
  selectedId,
  usersById,
  more,
  previewOf = (c) => c.preview,
}: {
  items: C[];
  hrefOf: (c: C) => string;
  selectedId: string | undefined;
  usersById: Map<string, UserT>;
  more: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
  /** The line under the subject: the message preview, or a search result's snippet. */
  previewOf?: (c: C) => ReactNode;
}) {
  return (
    <>
      <ul className="conversation-list" aria-label="Conversations">
        {items.map((c) => {
          const name = contactName(c.contact);
          const email = c.contact?.email ?? null;
          const assignee = c.assigneeId ? usersById.get(c.assigneeId) : undefined;
          const selected = c.id === selectedId;
          return (
            <li key={c.id}>
              <Link to={hrefOf(c)} className={['conversation-row', selected && 'selected', c.unread && 'unread'].filter(Boolean).join(' ')} aria-current={selected ? 'true' : undefined}>
                {c.unread && <span className="unread-dot" role="img" aria-label="Unread" />}
                <Avatar name={name ?? ''} size={36} />
                <div className="conversation-row-body">
                  <div className="row-line">
                    <span className="contact-name">
                      <SenderName name={name} />
                    </span>
                    <time className="row-time" dateTime={c.lastActivityAt} title={fullTime(c.lastActivityAt)}>
                      {relativeTime(c.lastActivityAt)}
                    </time>
                  </div>
                  {email && email !== name && <div className="contact-email">{email}</div>}
                  <div className="row-subject" dir="auto">{c.subject || '(no subject)'}</div>
                  <div className="row-preview" dir="auto">{previewOf(c)}</div>
                  <div className="row-meta">
                    <span className={`status-badge status-${c.status}`}>{c.status}</span>
                    <span className="row-assignee">{assignee ? assignee.fullName || assignee.email : c.assigneeId ? 'Assigned' : 'Unassigned'}</span>
                  </div>
                </div>
              </Link>
            </li>
          );
        })}
      </ul>
      {more.hasNextPage && (
        <button type="button" className="button button-secondary button-block load-more" disabled={more.isFetchingNextPage} onClick={() => void more.fetchNextPage()}>
          {more.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}

export function ConversationList({
  inbox,
  view,
  selectedId,
  usersById,
}: {
  inbox: InboxT;
  view: InboxView;
  selectedId: string | undefined;
  usersById: Map<string, UserT>;
}) {
  const list = useConversations({ inboxId: inbox.id, ...view.filter });
  if (list.isPending) return <div className="list-status" role="status">Loading conversations…</div>;
  if (list.isError) return <div className="alert alert-error" role="alert">{errorMessage(list.error)}</div>;
  const items = list.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <EmptyInbox inbox={inbox} view={view} />;
  return <ConversationRows items={items} hrefOf={(c) => `/inbox/${inbox.id}/${view.slug}/${c.id}`} selectedId={selectedId} usersById={usersById} more={list} />;
}
