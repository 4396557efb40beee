// Whether SMTP mail sent straight to a connected team address is delivered here: only once the
// account proved it owns the address by the link mailed to it (core/verify-team-address.ts).
// Fetching over IMAP works either way, so this says so instead of looking like a failure.
import { useState } from 'react';
import type { ChannelT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { errorMessage } from '../api/client.ts';
import { useCanManageSettings } from '../api/queries.ts';
import { sendLabel, useCanResend, verificationSentence } from './address-verification.tsx';
import './team-address.css';

const TONE = { verified: 'tone-ok', sent: 'tone-wait', expired: 'tone-bad', none: 'tone-wait', taken: 'tone-bad' } as const;
const STATE_WORD = { verified: 'verified', sent: 'link sent', expired: 'link expired', none: 'not verified', taken: 'verified by another account' } as const;

export function TeamAddressVerification({ channel, onChanged }: { channel: ChannelT; onChanged?: () => void }) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const address = channel.email?.teamAddress;
  const verification = channel.email?.teamAddressVerification ?? null;
  const canResend = useCanResend(verification);
  const canEdit = useCanManageSettings();
  if (!address || !verification) return null;

  const send = async () => {
    setSending(true);
    setError(null);
    try {
      await api.verifyTeamAddress(channel.id);
      onChanged?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
    }
  };

  const { state } = verification;
  return (
    <div className="team-address-verification small" aria-label={`Direct delivery to ${address}`} role="group">
      <div>
        Direct delivery to this address: <strong className={TONE[state]}>{STATE_WORD[state]}</strong>
        {state !== 'verified' && state !== 'taken' && canEdit && (
          <>
            {' · '}
            <button type="button" className="link-button" onClick={() => void send()} disabled={sending || !canResend}>
              {sendLabel(verification, sending, canResend)}
            </button>
          </>
        )}
      </div>
      {state !== 'verified' && state !== 'none' && (
        <p role="status" className={state === 'taken' ? 'tone-bad' : undefined}>
          {verificationSentence(verification)}
        </p>
      )}
      {state === 'taken' ? (
        <p className="muted">Mail fetched from the mailbox still arrives here. If the address is yours, the account that verified it has to remove its channel first.</p>
      ) : (
        state !== 'verified' && (
          <p className="muted">
            Mail fetched from the mailbox arrives already. Mail sent straight to Parley for {address} is accepted only once you prove the address is
            yours: we email a link to it, and whoever reads its mail confirms.
          </p>
        )
      )}
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
