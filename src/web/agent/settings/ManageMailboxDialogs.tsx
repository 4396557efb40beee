// A connected team mailbox's two dialogs in Settings > Inboxes: "Edit connection" (the IMAP and
// SMTP servers, prefilled from GET /channels/{id}/connection; an empty password keeps the saved
// one; the API tests the logins before saving and says what failed) and "Disconnect" (asks first,
// says what happens to the conversations).
import { useEffect, useState, type FormEvent } from 'react';
import type { ChannelT } from '../../../shared/api.ts';
import { api, type MailServerShown } from '../api/endpoints.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { ConfirmDialog } from '../ui/FormDialog.tsx';
import { useSave } from '../ui/useSave.ts';
import { FailureAlert, MailServersFieldsets, SMTP_DEFAULT, connectionFailure, toServer, type ConnectionFailure, type ServerFields } from './MailServerFields.tsx';

interface Props {
  channel: ChannelT;
  onClose: () => void;
  onChanged: () => void;
}

const saveFailure = (err: unknown) => connectionFailure(err, 'Could not save');

const fields = (s: MailServerShown): ServerFields => ({ host: s.host, port: String(s.port), tls: s.tls, user: s.user, password: '' });

export function EditConnectionDialog({ channel, onClose, onChanged }: Props) {
  const address = channel.email?.teamAddress ?? channel.name;
  const [imap, setImap] = useState<ServerFields | null>(null);
  const [withSmtp, setWithSmtp] = useState(false);
  const [smtp, setSmtp] = useState<ServerFields>(SMTP_DEFAULT);
  const [loadError, setLoadError] = useState<ConnectionFailure | null>(null);
  const { saving: busy, error: saveError, saved, run } = useSave(saveFailure);
  const error = saveError ?? loadError;

  useEffect(() => {
    let live = true;
    api.emailConnection(channel.id).then(
      (c) => {
        if (!live) return;
        setImap(fields(c.imap));
        setWithSmtp(c.smtp !== null);
        if (c.smtp) setSmtp(fields(c.smtp));
      },
      (err: unknown) => live && setLoadError(connectionFailure(err, 'Could not load the connection settings')),
    );
    return () => {
      live = false;
    };
  }, [channel.id]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!imap) return;
    if (await run(() => api.updateEmailConnection(channel.id, { imap: toServer(imap), smtp: withSmtp ? toServer(smtp) : null }))) onChanged();
  };

  return (
    <Dialog title={`Edit connection: ${address}`} open onClose={onClose} wide>
      {saved ? (
        <div className="form">
          <div className="alert alert-success" role="status">
            Saved. Parley logged in with the new settings and fetches {address} with them from now on.
          </div>
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)} aria-label="Connection settings">
          <p className="muted small">We test the login before saving. Leave a password empty to keep the saved one.</p>
          <FailureAlert failure={error} />
          {imap ? (
            <MailServersFieldsets
              imap={imap}
              onImap={setImap}
              withSmtp={withSmtp}
              onWithSmtp={setWithSmtp}
              smtp={smtp}
              onSmtp={setSmtp}
              invalidField={error?.field}
              passwordKept
            />
          ) : (
            !error && <p className="muted">Loading…</p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy || !imap}>
              {busy ? 'Testing the connection…' : 'Save'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

export function DisconnectDialog({ channel, onClose, onChanged }: Props) {
  const address = channel.email?.teamAddress ?? channel.name;
  const { saving: busy, error, run } = useSave();

  const disconnect = async () => {
    if (!(await run(() => api.disconnectChannel(channel.id)))) return;
    onChanged();
    onClose();
  };

  return (
    <ConfirmDialog title={`Disconnect ${address}?`} actionLabel="Disconnect" busyLabel="Disconnecting…" busy={busy} error={error} onConfirm={() => void disconnect()} onClose={onClose}>
      <p>
        Parley stops fetching mail from <strong>{address}</strong> and refuses mail sent to this channel's own addresses. Its conversations stay in the
        inbox, and replies to them go out from the inbox's fallback address. The mail on your server is not touched.
      </p>
    </ConfirmDialog>
  );
}
