// The contact beside a conversation: who they are and their owner (changeable), their tickets
// (stage and priority editable by those who may act), and their timeline, newest first.
//
// Props:
//   conversation: ConversationT — the open conversation.
//   contact: ContactT | null — its contact (null when the sender could not be identified).
//   onChanged: () => void — called after a change, so the views refetch.
//   open: boolean — the agent opened the panel with the conversation's "Contact" toggle.
//   onClose: () => void — closes it: on a phone the panel covers the conversation and its toggle,
//     so it has its own "Back to conversation" button there, and the browser's Back closes it too.
//   onReopen: () => void — opens it again: on a phone, Forward after Back closed it.
import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ContactT, ConversationT, TicketT } from '../../../shared/api.ts';
import { errorMessage } from '../api/client.ts';
import { useInboxes, useUsers } from '../api/queries.ts';
import { Avatar, fullTime } from '../ui/format.tsx';
import { usePipelines, useTickets, workflow } from './workflow-api.ts';
import { UserOptions } from '../ui/UserOptions.tsx';
import { ContactOwnerSelect } from '../contacts/ContactOwnerSelect.tsx';
import { ContactTimeline } from '../contacts/ContactTimeline.tsx';
import { contactName, SenderName } from './SenderName.tsx';
import { useBackCloses } from './useBackCloses.ts';
import './workflow.css';

export interface ContactPanelProps {
  conversation: ConversationT;
  contact: ContactT | null;
  onChanged: () => void;
  open: boolean;
  onClose: () => void;
  onReopen: () => void;
}

/** Where the panel covers the conversation (app.css); wider, it sits beside it and Back leaves as usual. */
const COVERS_CONVERSATION = '(max-width: 760px)';

const PRIORITIES: NonNullable<TicketT['priority']>[] = ['low', 'medium', 'high', 'urgent'];

function TicketCard({ ticket, canAct, onChanged }: { ticket: TicketT; canAct: boolean; onChanged: () => void }) {
  const pipelines = usePipelines();
  const users = useUsers();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const stages = pipelines.data?.find((p) => p.id === ticket.pipelineId)?.stages ?? [];
  async function patch(body: Parameters<typeof workflow.updateTicket>[1]) {
    setError(null);
    try {
      await workflow.updateTicket(ticket.id, body);
      await client.invalidateQueries({ queryKey: ['tickets'] });
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  return (
    <li className="ticket-card card">
      <div>
        <strong>#{ticket.number}</strong> {ticket.subject}
      </div>
      <dl className="facts">
        <dt>Stage</dt>
        <dd>
          <select aria-label={`Stage of ticket #${ticket.number}`} value={ticket.stageId} disabled={!canAct} onChange={(e) => void patch({ stageId: e.target.value })}>
            {stages.length === 0 && <option value={ticket.stageId}>{ticket.stageName}</option>}
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </dd>
        <dt>Priority</dt>
        <dd>
          <select aria-label={`Priority of ticket #${ticket.number}`} value={ticket.priority ?? ''} disabled={!canAct} onChange={(e) => void patch({ priority: (e.target.value || null) as TicketT['priority'] })}>
            <option value="">None</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </dd>
        <dt>Owner</dt>
        <dd>
          <select aria-label={`Owner of ticket #${ticket.number}`} value={ticket.ownerId ?? ''} disabled={!canAct} onChange={(e) => void patch({ ownerId: e.target.value || null })}>
            <UserOptions users={users.data} none="No owner" />
          </select>
        </dd>
      </dl>
      {error && (
        <p className="alert alert-error small" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

export function ContactPanel({ conversation, contact, onChanged, open, onClose, onReopen }: ContactPanelProps) {
  const back = useRef<HTMLButtonElement>(null);
  // The toggle that opened it is hidden on a phone: keep focus here (a no-op where the button is hidden).
  useEffect(() => {
    if (open) back.current?.focus();
  }, [open]);
  useBackCloses(open, onClose, COVERS_CONVERSATION, onReopen);
  const inboxes = useInboxes();
  const canAct = inboxes.data?.find((i) => i.id === conversation.inboxId)?.myAccess === 'act';
  const tickets = useTickets(contact ? { contactId: contact.id } : { conversationId: conversation.id });
  const name = contactName(contact);

  return (
    // Escape closes it too: on a phone it covers the conversation, and a keyboard user expects Escape to leave an overlay.
    <aside
      className="contact-panel"
      aria-label="Contact"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open && !e.defaultPrevented) onClose();
      }}
    >
      <button ref={back} type="button" className="button button-small button-secondary contact-panel-close" onClick={onClose}>
        <span aria-hidden="true">←</span> Back to conversation
      </button>
      {contact ? (
        <>
          <div className="contact-card">
            <Avatar name={name ?? ''} size={48} />
            <div>
              <div className="contact-card-name">
                <SenderName name={name} />
              </div>
              {contact.email && <div className="muted small">{contact.email}</div>}
            </div>
          </div>
          <dl className="facts">
            <dt>Conversation</dt>
            <dd>#{conversation.number}</dd>
            <dt>Contact owner</dt>
            <dd>
              <ContactOwnerSelect contact={contact} />
            </dd>
            <dt>Contact since</dt>
            <dd>{fullTime(contact.createdAt)}</dd>
          </dl>
        </>
      ) : (
        <p className="muted">No contact is linked to this conversation.</p>
      )}
      <section aria-label="Tickets" className="ticket-panel">
        <h2 className="panel-heading">Tickets</h2>
        {tickets.isPending && <p className="muted small">Loading tickets…</p>}
        {tickets.isError && <p className="alert alert-error small">{errorMessage(tickets.error)}</p>}
        {tickets.data && tickets.data.length === 0 && <p className="muted small">No tickets yet. Use “Create ticket” above to track this issue.</p>}
        <ul className="plain-list">
          {(tickets.data ?? []).map((t) => (
            <TicketCard key={t.id} ticket={t} canAct={canAct} onChanged={onChanged} />
          ))}
        </ul>
      </section>
      {contact && <ContactTimeline contactId={contact.id} />}
    </aside>
  );
}
