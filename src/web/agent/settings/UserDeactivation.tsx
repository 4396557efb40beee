// Deactivating and reactivating users in Settings > Users (admins): the confirmation that says
// what deactivation does, and the list of deactivated users with "Reactivate".
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Page, UserT } from '../../../shared/api.ts';
import { errorMessage, request } from '../api/client.ts';
import { ConfirmDialog } from '../ui/FormDialog.tsx';
import { useSave } from '../ui/useSave.ts';

const enc = encodeURIComponent;
const displayName = (u: UserT) => u.fullName || u.email;

/** Refetch every list a user's state shows in (users, the deactivated list, conversations they had). */
function useAfterChange() {
  const client = useQueryClient();
  return () => {
    for (const queryKey of [['users'], ['conversations'], ['conversation']]) void client.invalidateQueries({ queryKey });
  };
}

export function DeactivateUserDialog({ user, onClose }: { user: UserT; onClose: () => void }) {
  const afterChange = useAfterChange();
  const { saving: busy, error, run } = useSave();
  const deactivate = async () => {
    if (!(await run(() => request<UserT>('POST', `/users/${enc(user.id)}/deactivate`, {})))) return;
    afterChange();
    onClose();
  };
  return (
    <ConfirmDialog title={`Deactivate ${displayName(user)}?`} actionLabel="Deactivate" busyLabel="Deactivating…" busy={busy} error={error} onConfirm={() => void deactivate()} onClose={onClose}>
      <p>
        {displayName(user)} can no longer sign in, their API tokens stop working, and their open and snoozed conversations become unassigned. Their
        teams, inbox access and history are kept: you can reactivate them later.
      </p>
    </ConfirmDialog>
  );
}

export function DeactivatedUsers() {
  const afterChange = useAfterChange();
  const [error, setError] = useState<string | null>(null);
  const all = useQuery({ queryKey: ['users', 'with-deactivated'], queryFn: () => request<Page<UserT>>('GET', '/users?deactivated=include&limit=200') });
  const gone = (all.data?.items ?? []).filter((u) => u.deactivatedAt !== null);
  if (gone.length === 0) return null;
  const reactivate = async (u: UserT) => {
    setError(null);
    try {
      await request<UserT>('POST', `/users/${enc(u.id)}/reactivate`, {});
      afterChange();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section className="card" aria-label="Deactivated users">
      <h2>Deactivated users</h2>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <ul className="plain-list">
        {gone.map((u) => (
          <li key={u.id} className="with-action">
            <span>
              {displayName(u)} <span className="muted small">{u.email}</span>
            </span>
            <button type="button" className="button button-secondary button-small" aria-label={`Reactivate ${displayName(u)}`} onClick={() => void reactivate(u)}>
              Reactivate
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
