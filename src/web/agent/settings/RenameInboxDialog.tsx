// "Rename inbox": a dialog with the inbox's name and Rename (PATCH /api/v1/inboxes/{id}).
import { useEffect, useState, type FormEvent } from 'react';
import type { InboxT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { errorMessage } from '../api/client.ts';
import { Dialog } from '../ui/Dialog.tsx';

export function RenameInboxDialog({ inbox, open, onClose, onRenamed }: { inbox: InboxT; open: boolean; onClose: () => void; onRenamed: () => void }) {
  const [name, setName] = useState(inbox.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      setName(inbox.name);
      setError(null);
    }
  }, [open, inbox.name]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.renameInbox(inbox.id, name);
      onRenamed();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Rename inbox" open={open} onClose={onClose}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {error && (
          <div className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <div className="field">
          <label htmlFor="rename-inbox-name">Inbox name</label>
          <input id="rename-inbox-name" required maxLength={100} value={name} autoFocus onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || name.trim() === ''}>
            Rename
          </button>
        </div>
      </form>
    </Dialog>
  );
}
