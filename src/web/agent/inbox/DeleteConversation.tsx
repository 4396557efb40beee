// "Delete" on the open conversation, behind a confirmation that says it cannot be undone. Only
// rendered for users who can act in the inbox (the server refuses others with 403 view_only).
//
// Props:
//   conversation: ConversationT — the open conversation.
//   onDeleted: () => void — called once it is gone (the pane goes back to the list).
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ConversationT } from '../../../shared/api.ts';
import { ConfirmDialog } from '../ui/FormDialog.tsx';
import { useSave } from '../ui/useSave.ts';
import { workflow } from './workflow-api.ts';
import { dropFromConversationLists } from '../api/queries.ts';

export function DeleteConversation({ conversation: c, onDeleted }: { conversation: ConversationT; onDeleted: () => void }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const { saving, error, run } = useSave();

  async function remove() {
    if (!(await run(() => workflow.remove(c.id)))) return;
    // Drop its cached thread first: refetching a deleted conversation would only show a 404.
    client.removeQueries({ queryKey: ['conversation', c.id] });
    client.removeQueries({ queryKey: ['messages', c.id] });
    dropFromConversationLists(client, c.id);
    for (const queryKey of [['conversations'], ['tickets'], ['timeline'], ['notifications']]) void client.invalidateQueries({ queryKey });
    setOpen(false);
    onDeleted();
  }

  return (
    <>
      <button type="button" className="button button-small button-secondary" onClick={() => setOpen(true)}>
        Delete
      </button>
      {open && (
        <ConfirmDialog title={`Delete conversation #${c.number}?`} actionLabel="Delete conversation" busyLabel="Deleting…" busy={saving} error={error} onConfirm={() => void remove()} onClose={() => setOpen(false)}>
          <p>
            “{c.subject || '(no subject)'}” will be deleted for everyone, with its messages, notes, attachments and ticket, and it leaves the contact’s
            timeline. This cannot be undone. If the same email is fetched or delivered again, it is not brought back.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}
