// "Connect a channel" > Team email (IMAP): the team's own address (e.g. support@company.com), its
// IMAP server, and optionally its SMTP server so replies go out from that address. "Connect"
// calls POST /api/v1/inboxes/{id}/channels, which tests the logins before saving, and shows what
// failed (wrong password, server unreachable, TLS, a private host) right above the fields.
//
// Props:
//   inbox: InboxT — the inbox to connect a channel to.
//   open: boolean — whether the dialog is shown.
//   onClose: () => void — close the dialog.
//   onChanged: () => void — call after a channel was connected, so the inbox list refetches.
import { useEffect, useState, type FormEvent } from 'react';
import type { ChannelT, InboxT } from '../../../shared/api.ts';
import { request } from '../api/client.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { TeamAddressVerification } from './TeamAddressVerification.tsx';
import { FailureAlert, IMAP_DEFAULT, MailServersFieldsets, SMTP_DEFAULT, connectionFailure, toServer, type ServerFields } from './MailServerFields.tsx';
import { useSave } from '../ui/useSave.ts';

const connectFailure = (err: unknown) => connectionFailure(err, 'Could not connect');

export interface ConnectChannelDialogProps {
  inbox: InboxT;
  open: boolean;
  onClose: () => void;
  onChanged: () => void;
}

export function ConnectChannelDialog({ inbox, open, onClose, onChanged }: ConnectChannelDialogProps) {
  const [step, setStep] = useState<'choose' | 'email' | 'done'>('choose');
  const [teamAddress, setTeamAddress] = useState('');
  const [imap, setImap] = useState<ServerFields>(IMAP_DEFAULT);
  const [withSmtp, setWithSmtp] = useState(false);
  const [smtp, setSmtp] = useState<ServerFields>(SMTP_DEFAULT);
  const { saving: busy, error, run, reset } = useSave(connectFailure);
  const [connected, setConnected] = useState<ChannelT | null>(null);

  useEffect(() => {
    if (!open) return;
    setStep('choose');
    setTeamAddress('');
    setImap(IMAP_DEFAULT);
    setWithSmtp(false);
    setSmtp(SMTP_DEFAULT);
    reset();
    setConnected(null);
  }, [open, reset]);

  // The IMAP user name is usually the address itself; prefill it while the user has not typed one.
  const onAddress = (value: string) => {
    if (imap.user === '' || imap.user === teamAddress) setImap({ ...imap, user: value });
    if (smtp.user === '' || smtp.user === teamAddress) setSmtp({ ...smtp, user: value });
    setTeamAddress(value);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const channel = await request<ChannelT>('POST', `/inboxes/${inbox.id}/channels`, {
        type: 'email',
        teamAddress: teamAddress.trim(),
        imap: toServer(imap),
        ...(withSmtp ? { smtp: toServer(smtp) } : {}),
      });
      setConnected(channel);
      setStep('done');
      onChanged();
    });
  };

  return (
    <Dialog title="Connect a channel" open={open} onClose={onClose} wide={step === 'email'}>
      {step === 'choose' && (
        <div className="form">
          <p>
            Select a channel to connect to <strong>{inbox.name}</strong>:
          </p>
          <div className="channel-choices">
            <button type="button" className="choice" onClick={() => setStep('email')}>
              <span className="choice-icon" aria-hidden="true">
                ✉
              </span>
              <span>
                <strong>Team email (IMAP)</strong>
                <span className="muted small"> Connect your team's own mailbox, like support@yourcompany.com</span>
              </span>
            </button>
          </div>
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={onClose}>
              Cancel
            </button>
          </div>
        </div>
      )}

      {step === 'email' && (
        <form className="form" onSubmit={(e) => void submit(e)} aria-label="Team email (IMAP)">
          <p className="muted small">
            Parley logs in to your mailbox and brings new mail into this inbox as it arrives. Mail already in the mailbox stays where it is. We test
            the login before saving anything.
          </p>
          <FailureAlert failure={error} />
          <div className="field">
            <label htmlFor="connect-team-address">Team email address</label>
            <input
              id="connect-team-address"
              type="email"
              required
              placeholder="support@yourcompany.com"
              value={teamAddress}
              aria-invalid={error?.field === 'teamAddress' || undefined}
              onChange={(e) => onAddress(e.target.value)}
            />
          </div>
          <MailServersFieldsets imap={imap} onImap={setImap} withSmtp={withSmtp} onWithSmtp={setWithSmtp} smtp={smtp} onSmtp={setSmtp} invalidField={error?.field} />
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={() => setStep('choose')} disabled={busy}>
              Back
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Testing the connection…' : 'Connect'}
            </button>
          </div>
        </form>
      )}

      {step === 'done' && connected && (
        <div className="form">
          <div className="alert alert-success" role="status">
            Connected <strong>{connected.email?.teamAddress}</strong>. New mail in the mailbox now arrives in {inbox.name}.
          </div>
          <TeamAddressVerification channel={connected} onChanged={onChanged} />
          {connected.email && (
            <p className="muted small">
              This channel also has its own addresses: <code className="address">{connected.email.inboundAddress}</code> and, for forwarding,{' '}
              <code className="address">{connected.email.forwardingAddress}</code>.
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
