// Whether SMTP mail sent straight to a connected team address is delivered here: only once the
// account proved it owns the address by the link mailed to it (core/verify-team-address.ts).
// Fetching over IMAP works either way, so this says so instead of looking like a failure.
import { useState } from 'react';
import type { ChannelT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { errorMessage } from '../api/client.ts';
import './team-address.css';

export function TeamAddressVerification({ channel, onChanged }: { channel: ChannelT; onChanged?: () => void }) {
  const [sending, setSending] = useState(false);
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const address = channel.email?.teamAddress;
  if (!address) return null;

  if (channel.email?.teamAddressVerified) {
    return (
      <div className="team-address-verification small">
        <div>
          Direct delivery to this address: <strong className="tone-ok">verified</strong>
        </div>
      </div>
    );
  }

  const send = async () => {
    setSending(true);
    setNote(null);
    try {
      const res = await api.verifyTeamAddress(channel.id);
      setNote({ text: `We sent a verification link to ${res.address}. Open it and confirm within 24 hours.`, error: false });
      onChanged?.();
    } catch (err) {
      setNote({ text: errorMessage(err), error: true });
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="team-address-verification small" aria-label={`Direct delivery to ${address}`} role="group">
      <div>
        Direct delivery to this address: <strong className="tone-wait">not verified</strong> ·{' '}
        <button type="button" className="link-button" onClick={() => void send()} disabled={sending}>
          {sending ? 'Sending…' : 'Send verification email'}
        </button>
      </div>
      <p className="muted">
        Mail fetched from the mailbox arrives already. Mail sent straight to Parley for {address} is accepted only once you prove the address is
        yours: we email a link to it, and whoever reads its mail confirms.
      </p>
      {note && (
        <div className={note.error ? 'alert alert-error' : 'alert alert-success'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </div>
      )}
    </div>
  );
}
