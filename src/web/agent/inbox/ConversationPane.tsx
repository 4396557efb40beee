// The opened conversation: header (subject, contact, number, actions), the "View only" banner
// when the user may only view this inbox, the thread, the composer and the contact panel.
import { useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Link, useLocation, useNavigate, useNavigationType } from 'react-router';
import type { InboxT, UserT } from '../../../shared/api.ts';
import { useConversation, useMessages, useRefresh } from '../api/queries.ts';
import { ApiError, errorMessage } from '../api/client.ts';
import { MessageItem } from './MessageItem.tsx';
import { Composer } from './Composer.tsx';
import { ConversationActions } from './ConversationActions.tsx';
import { ContactPanel } from './ContactPanel.tsx';
import { contactName, SenderName } from './SenderName.tsx';
import { useTitle } from '../ui/useTitle.ts';
import { useStickToBottom } from './useStickToBottom.ts';
import { useMarkReadWhenShown } from './useMarkRead.ts';

export function ViewOnlyBanner() {
  return (
    <div className="banner banner-info" role="note" aria-label="View only">
      <strong>View only.</strong> You can view this inbox but not reply or take actions. Ask an admin to add you in the inbox's Access settings.
    </div>
  );
}

function ConversationGone({ backTo }: { backTo: string }) {
  return (
    <div className="pane-status" role="status">
      <p>This conversation no longer exists: it was deleted.</p>
      <Link to={backTo}>Back to conversations</Link>
    </div>
  );
}

export function ConversationPane({
  conversationId,
  inboxes,
  backTo,
  usersById,
}: {
  conversationId: string;
  /** The user's inboxes: rights come from the conversation's own inbox, not the one in the URL. */
  inboxes: InboxT[];
  backTo: string;
  usersById: Map<string, UserT>;
}) {
  const conversation = useConversation(conversationId);
  const messages = useMessages(conversationId);
  const refresh = useRefresh();
  const [contactOpen, setContactOpen] = useState(false);
  // A navigation that keeps this conversation on screen (a notification about it, another view's
  // URL for it) closes the contact panel, as any other navigation does by replacing the pane.
  // Back and Forward (POP) are useBackCloses' to handle: they close and reopen the panel.
  const location = useLocation();
  const navigationType = useNavigationType();
  const [locationKey, setLocationKey] = useState(location.key);
  if (location.key !== locationKey) {
    setLocationKey(location.key);
    if (navigationType !== 'POP') setContactOpen(false);
  }
  const contactToggle = useRef<HTMLButtonElement>(null);
  const threadScroll = useStickToBottom<HTMLDivElement>();
  const navigate = useNavigate();
  useTitle([conversation.data ? conversation.data.subject || '(no subject)' : null]);
  useMarkReadWhenShown(conversation.data, messages.data);

  if (conversation.isPending) return <div className="pane-status" role="status">Loading conversation…</div>;
  // Deleted (here or by someone else, whose event refetched it): say so, with the way back.
  if (conversation.isError && conversation.error instanceof ApiError && conversation.error.status === 404) return <ConversationGone backTo={backTo} />;
  if (conversation.isError) return <div className="pane-status"><div className="alert alert-error" role="alert">{errorMessage(conversation.error)}</div></div>;
  const c = conversation.data;
  const inbox = inboxes.find((i) => i.id === c.inboxId);
  if (!inbox) return <div className="pane-status"><div className="alert alert-error" role="alert">This conversation is in an inbox you cannot see.</div></div>;
  const viewOnly = inbox.myAccess === 'view';
  const onChanged = () => void refresh.conversation(c.id);
  const name = contactName(c.contact);
  // On a phone the panel replaces the conversation, toggle included: closing it brings both back.
  const closeContact = () => {
    flushSync(() => setContactOpen(false));
    contactToggle.current?.focus();
  };

  return (
    <div className={contactOpen ? 'conversation-layout contact-open' : 'conversation-layout'}>
      <section className="conversation" aria-label="Conversation">
        <header className="conversation-header">
          <div className="conversation-header-top">
            <Link to={backTo} className="icon-button back-button" aria-label="Back to conversations">
              ←
            </Link>
            <div className="conversation-title">
              <h1 dir="auto">{c.subject || '(no subject)'}</h1>
              <div className="muted small">
                <SenderName name={name} />
                {c.contact?.email && c.contact.email !== name ? ` · ${c.contact.email}` : ''} · #{c.number}
              </div>
            </div>
            <button ref={contactToggle} type="button" className="button button-small button-secondary contact-toggle" aria-pressed={contactOpen} onClick={() => setContactOpen((v) => !v)}>
              Contact
            </button>
          </div>
          {/* Its own row: the actions grow with features and must never squeeze the subject away. */}
          <div className="conversation-toolbar">
            <ConversationActions conversation={c} inbox={inbox} viewOnly={viewOnly} onChanged={onChanged} onDeleted={() => void navigate(backTo)} onMarkedUnread={() => void navigate(backTo)} />
          </div>
        </header>
        {viewOnly && <ViewOnlyBanner />}
        <div className="thread-scroll" ref={threadScroll}>
          {messages.isPending && <div className="pane-status" role="status">Loading messages…</div>}
          {messages.isError && <div className="alert alert-error" role="alert">{errorMessage(messages.error)}</div>}
          {messages.data && (
            <ol className="thread" aria-label="Messages">
              {messages.data.length === 0 && <li className="activity-line">No messages in this conversation yet.</li>}
              {messages.data.map((m) => (
                <MessageItem key={m.id} message={m} contact={c.contact} usersById={usersById} />
              ))}
            </ol>
          )}
        </div>
        <Composer conversation={c} inbox={inbox} viewOnly={viewOnly} onSent={onChanged} />
      </section>
      <ContactPanel conversation={c} contact={c.contact} onChanged={onChanged} open={contactOpen} onClose={closeContact} onReopen={() => setContactOpen(true)} />
    </div>
  );
}
