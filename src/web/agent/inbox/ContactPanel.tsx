// The contact beside a conversation. PLACEHOLDER: the assignment/contacts work replaces this file
// (owner, timeline, edit). Until then it shows the contact's current values read-only.
//
// Props:
//   conversation: ConversationT — the open conversation.
//   contact: ContactT | null — its contact (null when the sender could not be identified).
//   onChanged: () => void — call after editing the contact, so the views refetch.
import type { ContactT, ConversationT } from '../../../shared/api.ts';
import { Avatar, fullTime } from '../ui/format.tsx';

export interface ContactPanelProps {
  conversation: ConversationT;
  contact: ContactT | null;
  onChanged: () => void;
}

export function ContactPanel({ conversation, contact }: ContactPanelProps) {
  if (!contact) {
    return (
      <aside className="contact-panel" aria-label="Contact">
        <p className="muted">No contact is linked to this conversation.</p>
      </aside>
    );
  }
  const name = contact.name || contact.email || 'Contact';
  return (
    <aside className="contact-panel" aria-label="Contact">
      <div className="contact-card">
        <Avatar name={name} size={48} />
        <div>
          <div className="contact-card-name">{name}</div>
          {contact.email && <div className="muted small">{contact.email}</div>}
        </div>
      </div>
      <dl className="facts">
        <dt>Conversation</dt>
        <dd>#{conversation.number}</dd>
        <dt>Contact since</dt>
        <dd>{fullTime(contact.createdAt)}</dd>
      </dl>
    </aside>
  );
}
