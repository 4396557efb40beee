// "Create new inbox" (Professional and Enterprise): Team inbox name and Who has inbox access,
// Next (POST /api/v1/inboxes), then "Select a channel to connect" or "Connect a channel later".
// On free and starter plans it shows the upgrade message instead of the wizard.
import { useEffect, useState, type FormEvent } from 'react';
import type { AccountT, InboxT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { errorMessage } from '../api/client.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { UsersTeamsPicker } from './UsersTeamsPicker.tsx';

export const PLANS_WITH_MORE_INBOXES: AccountT['plan'][] = ['professional', 'enterprise'];

export function CreateInboxWizard({
  account,
  open,
  onClose,
  onCreated,
  onFinished,
  onConnectChannel,
}: {
  account: AccountT;
  open: boolean;
  onClose: () => void;
  /** The new inbox exists (called after Next). */
  onCreated: (inbox: InboxT) => void;
  /** The user clicked "Connect a channel later": the wizard is done. */
  onFinished: (inbox: InboxT) => void;
  /** The user chose a channel to connect to the new inbox. */
  onConnectChannel: (inbox: InboxT) => void;
}) {
  const [step, setStep] = useState<'details' | 'channel'>('details');
  const [name, setName] = useState('');
  const [access, setAccess] = useState<InboxT['access']>('everyone');
  const [userIds, setUserIds] = useState<string[]>([]);
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [created, setCreated] = useState<InboxT | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setStep('details');
    setName('');
    setAccess('everyone');
    setUserIds([]);
    setTeamIds([]);
    setCreated(null);
    setError(null);
  }, [open]);

  if (!PLANS_WITH_MORE_INBOXES.includes(account.plan)) {
    return (
      <Dialog title="Create new inbox" open={open} onClose={onClose}>
        <div className="upgrade">
          <p className="upgrade-title">Creating more inboxes needs the Professional or Enterprise plan.</p>
          <p className="muted">
            Your account is on the {account.plan.charAt(0).toUpperCase() + account.plan.slice(1)} plan, which includes one inbox. Upgrade to keep sales, support and other teams in separate inboxes.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={onClose}>
              Got it
            </button>
          </div>
        </div>
      </Dialog>
    );
  }

  const next = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const inbox = await api.createInbox({ name, access, userIds: access === 'specific' ? userIds : [], teamIds: access === 'specific' ? teamIds : [] });
      setCreated(inbox);
      setStep('channel');
      onCreated(inbox);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create new inbox" open={open} onClose={onClose} wide>
      <ol className="steps" aria-label="Steps">
        <li className={step === 'details' ? 'current' : 'done'}>Inbox details</li>
        <li className={step === 'channel' ? 'current' : ''}>Connect a channel</li>
      </ol>
      {step === 'details' && (
        <form className="form" onSubmit={(e) => void next(e)}>
          {error && (
            <div className="alert alert-error" role="alert">
              {error}
            </div>
          )}
          <div className="field">
            <label htmlFor="new-inbox-name">Team inbox name</label>
            <input id="new-inbox-name" required maxLength={100} value={name} autoFocus placeholder="e.g. Sales, Support" onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="new-inbox-access">Who has inbox access</label>
            <select id="new-inbox-access" value={access} onChange={(e) => setAccess(e.target.value as InboxT['access'])}>
              <option value="everyone">Everyone</option>
              <option value="specific">Specific users and teams</option>
            </select>
            <p className="hint">
              {access === 'everyone' ? 'Every user in the account can access the inbox.' : 'Only the selected users and teams can access the inbox.'} Incoming conversations are only assigned automatically to users with a paid seat.
            </p>
          </div>
          {access === 'specific' && (
            <UsersTeamsPicker
              userIds={userIds}
              teamIds={teamIds}
              onChange={(u, t) => {
                setUserIds(u);
                setTeamIds(t);
              }}
              note="Admins outside this list can view the inbox but cannot reply or take actions."
            />
          )}
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy || name.trim() === ''}>
              {busy ? 'Creating…' : 'Next'}
            </button>
          </div>
        </form>
      )}
      {step === 'channel' && created && (
        <div className="form">
          <p>
            <strong>{created.name}</strong> is ready. Select a channel to connect:
          </p>
          <div className="channel-choices">
            <button type="button" className="choice" onClick={() => onConnectChannel(created)}>
              <span className="choice-icon" aria-hidden="true">
                ✉
              </span>
              <span>
                <strong>Team email</strong>
                <span className="muted small"> Receive a shared address like support@ in this inbox</span>
              </span>
            </button>
          </div>
          {created.channels[0]?.email && (
            <p className="muted small">
              It already has a fallback email address: <code className="address">{created.channels[0].email.inboundAddress}</code>
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={() => onFinished(created)}>
              Connect a channel later
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
