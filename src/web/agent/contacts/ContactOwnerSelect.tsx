// The contact owner, changeable by any user (PATCH /contacts/{id}): the person "Assign to:
// Contact owner" assigns the contact's new conversations to.
import { useQueryClient } from '@tanstack/react-query';
import type { ContactT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { useSave } from '../ui/useSave.ts';
import { useUsers } from '../api/queries.ts';
import { UserOptions } from '../ui/UserOptions.tsx';

export function ContactOwnerSelect({ contact }: { contact: ContactT }) {
  const users = useUsers();
  const client = useQueryClient();
  const { saving: busy, error, run } = useSave();

  const change = async (ownerId: string | null) => {
    const ok = await run(() => api.updateContact(contact.id, { ownerId }));
    // The socket marks these stale too; refetch now so the change shows without waiting for it.
    if (ok) for (const queryKey of [['contacts'], ['contact'], ['conversation'], ['timeline']]) void client.invalidateQueries({ queryKey });
  };

  return (
    <>
      <select aria-label="Contact owner" value={contact.ownerId ?? ''} disabled={busy || !users.data} onChange={(e) => void change(e.target.value || null)}>
        <UserOptions users={users.data} none="No owner" />
      </select>
      {error && (
        <p className="alert alert-error small" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
