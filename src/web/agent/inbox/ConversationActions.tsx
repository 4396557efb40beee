// The actions on the open conversation: assign (or unassign), close and reopen, snooze with
// presets or a chosen time, move to another inbox, create a ticket, follow, mark as unread,
// delete. Every control but "Mark as unread" (the user's own state) is disabled for users who may
// only view the inbox (Delete is not shown to them); the server refuses them anyway (403 view_only).
//
// Props:
//   conversation: ConversationT — the open conversation.
//   inbox: InboxT — its inbox.
//   viewOnly: boolean — the user may only view this inbox; actions are disabled.
//   onChanged: () => void — called after a change, so the list and the conversation refetch.
//   onDeleted: () => void — called once the conversation is deleted (back to the list).
//   onMarkedUnread: () => void — called once it is marked unread: back to the list, as in Help
//     Scout and Chatwoot (staying would show it, which marks it read again).
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConversationT, InboxT, UserT } from '../../../shared/api.ts';
import { errorMessage } from '../api/client.ts';
import { actsIn } from '../api/access.ts';
import { showReadState, useInboxes, useMe, useUsers } from '../api/queries.ts';
import { api } from '../api/endpoints.ts';
import { useTickets, workflow, workflowKeys } from './workflow-api.ts';
import { DeleteConversation } from './DeleteConversation.tsx';
import './workflow.css';

export interface ConversationActionsProps {
  conversation: ConversationT;
  inbox: InboxT;
  viewOnly: boolean;
  onChanged: () => void;
  onDeleted: () => void;
  onMarkedUnread: () => void;
}

const FREE_SEAT_NOTE = 'With a free seat you can assign only unassigned conversations or your own';

/** Snooze presets: later today, tomorrow morning, next Monday morning (local time). */
export function snoozePresets(now = new Date()): { label: string; until: Date }[] {
  const inHours = new Date(now.getTime() + 3 * 3600_000);
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const monday = new Date(now);
  monday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  monday.setHours(9, 0, 0, 0);
  return [
    { label: 'In 3 hours', until: inHours },
    { label: 'Tomorrow, 9:00', until: tomorrow },
    { label: 'Next Monday, 9:00', until: monday },
  ];
}

/** Why a user listed as the assignee could not be picked now (they stay listed, so it is seen). */
function assigneeNote(inbox: InboxT, u: UserT): string {
  if (u.deactivatedAt) return ' (deactivated)';
  return actsIn(inbox, u) ? '' : ' (cannot act in this inbox)';
}

export function ConversationActions({ conversation: c, inbox, viewOnly, onChanged, onDeleted, onMarkedUnread }: ConversationActionsProps) {
  const users = useUsers();
  const me = useMe().data;
  const inboxes = useInboxes();
  const client = useQueryClient();
  const tickets = useTickets({ conversationId: c.id });
  const follow = useQuery({ queryKey: workflowKeys.follow(c.id), queryFn: () => workflow.following(c.id) });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [snoozeOpen, setSnoozeOpen] = useState(false);
  const [customUntil, setCustomUntil] = useState('');
  const disabled = viewOnly || busy;

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      setSnoozeOpen(false);
      await Promise.all([
        client.invalidateQueries({ queryKey: ['tickets'] }),
        client.invalidateQueries({ queryKey: workflowKeys.follow(c.id) }),
      ]);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  // Not act(): nothing else changed, and the view is left at once.
  async function markUnread() {
    setBusy(true);
    setError(null);
    try {
      showReadState(client, await api.markUnread(c.id));
      onMarkedUnread();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  // Only users the server would accept as assignee; the current one stays listed, marked.
  const assignees = (users.data ?? []).filter((u) => (actsIn(inbox, u) && !u.deactivatedAt) || u.id === c.assigneeId);
  // A free seat may assign only unassigned conversations or their own (core/policies.ts).
  const seatLocked = me?.user.seat === 'free' && c.assigneeId !== null && c.assigneeId !== me.user.id;
  const targets = (inboxes.data ?? []).filter((i) => i.id !== inbox.id && i.myAccess === 'act');
  const ticket = tickets.data?.[0];
  const following = follow.data?.following ?? false;

  return (
    <div className="conversation-actions" aria-label="Conversation actions">
      <span className={`status-badge status-${c.status}`}>{c.status === 'snoozed' && c.snoozedUntil ? `snoozed until ${new Date(c.snoozedUntil).toLocaleString()}` : c.status}</span>
      <label className="inline-field">
        <span className="visually-hidden">Assignee</span>
        <select
          aria-label="Assignee"
          aria-describedby={seatLocked ? `seat-note-${c.id}` : undefined}
          title={seatLocked ? FREE_SEAT_NOTE : undefined}
          value={c.assigneeId ?? ''}
          disabled={disabled || !users.data || seatLocked}
          onChange={(e) => void act(() => workflow.assign(c.id, e.target.value || null))}
        >
          <option value="">Unassigned</option>
          {assignees.map((u) => (
            <option key={u.id} value={u.id}>
              {u.fullName || u.email}
              {u.seat === 'free' ? ' (free seat)' : ''}
              {assigneeNote(inbox, u)}
            </option>
          ))}
        </select>
      </label>
      {seatLocked && (
        <span id={`seat-note-${c.id}`} className="hint">
          {FREE_SEAT_NOTE}
        </span>
      )}
      {c.status === 'open' ? (
        <button type="button" className="button button-small button-secondary" disabled={disabled} onClick={() => void act(() => workflow.close(c.id))}>
          Close
        </button>
      ) : (
        <button type="button" className="button button-small button-secondary" disabled={disabled} onClick={() => void act(() => workflow.reopen(c.id))}>
          Reopen
        </button>
      )}
      <div className="menu">
        <button
          type="button"
          className="button button-small button-secondary"
          aria-expanded={snoozeOpen}
          disabled={disabled}
          onClick={() => {
            setError(null);
            setSnoozeOpen((v) => !v);
          }}
        >
          Snooze
        </button>
        {snoozeOpen && (
          <div className="menu-list menu-right popover" role="menu" aria-label="Snooze until">
            {snoozePresets().map((p) => (
              <button key={p.label} type="button" role="menuitem" className="menu-item" onClick={() => void act(() => workflow.snooze(c.id, p.until))}>
                {p.label} <span className="muted small">{p.until.toLocaleString()}</span>
              </button>
            ))}
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault();
                if (customUntil) void act(() => workflow.snooze(c.id, new Date(customUntil)));
              }}
            >
              <label className="field">
                <span>Until</span>
                <input type="datetime-local" aria-label="Snooze until" value={customUntil} onChange={(e) => setCustomUntil(e.target.value)} />
              </label>
              {/* Here, not under the actions: the open popover would cover it. */}
              {error && (
                <p className="alert alert-error small" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" className="button button-small button-primary" disabled={!customUntil}>
                Snooze
              </button>
            </form>
          </div>
        )}
      </div>
      {targets.length > 0 && (
        <select aria-label="Move to inbox" value="" disabled={disabled} onChange={(e) => e.target.value && void act(() => workflow.move(c.id, e.target.value))}>
          <option value="">Move to…</option>
          {targets.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      )}
      {ticket ? (
        <span className="muted small" aria-label="Ticket">
          Ticket #{ticket.number} · {ticket.stageName}
        </span>
      ) : (
        <button type="button" className="button button-small button-secondary" disabled={disabled || tickets.isPending} onClick={() => void act(() => workflow.createTicket(c.id))}>
          Create ticket
        </button>
      )}
      <button type="button" className="button button-small button-secondary" aria-pressed={following} disabled={disabled || follow.isPending} onClick={() => void act(() => workflow.follow(c.id, !following))}>
        {following ? 'Unfollow' : 'Follow'}
      </button>
      <button
        type="button"
        className="button button-small button-secondary"
        disabled={busy}
        onClick={() => void markUnread()}
      >
        Mark as unread
      </button>
      {!viewOnly && <DeleteConversation conversation={c} onDeleted={onDeleted} />}
      {error && !snoozeOpen && (
        <p className="alert alert-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
