// Status and assignee controls in the conversation header. PLACEHOLDER: the assignment work
// replaces this file (assign, close, snooze, reopen). Until then it shows the current values
// read-only.
//
// Props:
//   conversation: ConversationT — the open conversation.
//   inbox: InboxT — its inbox.
//   viewOnly: boolean — the user may only view this inbox; actions must be disabled.
//   onChanged: () => void — call after a change, so the list and the conversation refetch.
import type { ConversationT, InboxT } from '../../../shared/api.ts';
import { useUsers } from '../api/queries.ts';

export interface ConversationActionsProps {
  conversation: ConversationT;
  inbox: InboxT;
  viewOnly: boolean;
  onChanged: () => void;
}

export function ConversationActions({ conversation }: ConversationActionsProps) {
  const users = useUsers();
  const assignee = conversation.assigneeId ? users.data?.find((u) => u.id === conversation.assigneeId) : undefined;
  return (
    <div className="conversation-actions" aria-label="Conversation status">
      <span className={`status-badge status-${conversation.status}`}>{conversation.status}</span>
      <span className="muted small">
        {conversation.assigneeId ? <>Assigned to {assignee ? assignee.fullName || assignee.email : 'a teammate'}</> : 'Unassigned'}
      </span>
    </div>
  );
}
