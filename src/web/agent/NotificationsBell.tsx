// The notifications bell in the top bar: the unread count (GET /api/v1/notifications/unread-count,
// refreshed every 30 s), the latest notifications (assigned to you, @mentioned, a reply in a
// conversation you follow), opening one marks it read and goes to its conversation under the view
// that lists it now (its inbox and status: closed, snoozed or open), closing the contact panel,
// also when that conversation is the one on screen, and "Mark all as read".
//
// Props:
//   user: UserT — the signed-in user whose notifications the bell shows.
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationT, UserT } from '../../shared/api.ts';
import { errorMessage } from './api/client.ts';
import { api } from './api/endpoints.ts';
import { keys } from './api/queries.ts';
import { workflow, workflowKeys } from './inbox/workflow-api.ts';
import { leaveOverlay } from './inbox/useBackCloses.ts';
import { conversationHref } from './inbox/views.ts';
import './inbox/workflow.css';

export interface NotificationsBellProps {
  user: UserT;
}

export function describeNotification(n: NotificationT): string {
  const who = n.actorName || 'Someone';
  const what = n.conversationNumber !== null ? `#${n.conversationNumber} ${n.conversationSubject ?? ''}`.trim() : 'a conversation';
  if (n.kind === 'assigned') return n.actorUserId ? `${who} assigned you ${what}` : `You were automatically assigned ${what}`;
  if (n.kind === 'mentioned') return `${who} mentioned you in ${what}`;
  return `New reply in ${what}`;
}

export function NotificationsBell({ user }: NotificationsBellProps) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const client = useQueryClient();
  const unread = useQuery({ queryKey: workflowKeys.unread, queryFn: workflow.unreadCount, refetchInterval: 30_000 });
  const list = useQuery({ queryKey: [...workflowKeys.notifications, 'list'], queryFn: workflow.notifications, enabled: open });
  const count = unread.data?.count ?? 0;
  const refresh = () => client.invalidateQueries({ queryKey: workflowKeys.notifications });

  async function openOne(n: NotificationT) {
    if (!n.readAt) await workflow.markRead(n.id).catch(() => undefined);
    await refresh();
    setOpen(false);
    const conversationId = n.conversationId;
    if (!conversationId || !n.inboxId) return;
    // Where the conversation is now (it may have been closed, snoozed or moved since), fresh: the
    // view must list it. Gone or out of reach: its inbox's open view, where the pane says why.
    const conversation = await client
      .fetchQuery({ queryKey: keys.conversation(conversationId), queryFn: () => api.conversation(conversationId), staleTime: 0 })
      .catch(() => null);
    // An overlay over the screen (the contact panel on a phone) closes first, as Back closes it, so
    // the conversation takes its place in the history instead of leaving its entry underneath.
    await leaveOverlay();
    // Already there: no second entry for the same page (as a link to the current URL does).
    const to = conversationHref(conversation ?? { id: conversationId, inboxId: n.inboxId, status: 'open' });
    void navigate(to, { replace: window.location.pathname === to && !window.location.search });
  }

  return (
    <div className="menu bell">
      <button
        type="button"
        className="icon-button topbar-icon"
        aria-label={count ? `Notifications (${count} unread)` : 'Notifications'}
        aria-expanded={open}
        onClick={() => {
          setOpen((v) => !v);
          void refresh();
        }}
      >
        <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
        {count > 0 && (
          <span className="bell-count" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <div className="menu-list menu-right popover notification-list" role="region" aria-label="Notifications list">
          <p className="popover-title">Notifications</p>
          {list.isPending && <p className="muted small">Loading…</p>}
          {list.isError && <p className="alert alert-error small">{errorMessage(list.error)}</p>}
          {list.data && list.data.items.length === 0 && <p className="muted small">Nothing new for {user.firstName || user.email}.</p>}
          {list.data?.items.map((n) => (
            <button key={n.id} type="button" className={n.readAt ? 'notification-item' : 'notification-item notification-unread'} onClick={() => void openOne(n)}>
              {describeNotification(n)}
              <div className="muted small">{new Date(n.createdAt).toLocaleString()}</div>
            </button>
          ))}
          {count > 0 && (
            <button type="button" className="button button-small button-secondary" onClick={() => void workflow.markAllRead().then(refresh)}>
              Mark all as read
            </button>
          )}
        </div>
      )}
    </div>
  );
}
