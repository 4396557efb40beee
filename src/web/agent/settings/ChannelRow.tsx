// One channel in Settings > Inboxes: type, addresses (inbound and forwarding, with Copy; a team
// address with whether mail sent straight to it is delivered), connection status, the Status
// switch (PATCH /channels/{id} {enabled}) and "Edit"; for a connected team mailbox also "Edit
// connection" and "Disconnect".
import { useState } from 'react';
import { Link } from 'react-router';
import type { ChannelT, InboxT, WaitingMailT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { errorMessage } from '../api/client.ts';
import { Switch } from '../ui/Switch.tsx';
import { CopyButton } from '../ui/CopyButton.tsx';
import { fullTime, relativeTime } from '../ui/format.tsx';
import { DisconnectDialog, EditConnectionDialog } from './ManageMailboxDialogs.tsx';
import { TeamAddressVerification } from './TeamAddressVerification.tsx';

const TYPE_LABEL: Record<ChannelT['type'], string> = { email: 'Email', chat: 'Chat', slack: 'Slack', api: 'API' };

// The channel statuses the server records (db/schema.ts ChannelsTable.status) in words.
const STATUS_LABEL: Record<string, { label: string; tone: 'ok' | 'bad' | 'wait' }> = {
  ok: { label: 'Connected', tone: 'ok' },
  auth_failed: { label: 'Authentication failed', tone: 'bad' },
  unreachable: { label: 'Unreachable', tone: 'bad' },
  disconnected: { label: 'Disconnected', tone: 'bad' },
  pending: { label: 'Connecting', tone: 'wait' },
};

function statusText(channel: ChannelT): { text: string; tone: 'ok' | 'bad' | 'wait' | 'off' } {
  if (!channel.enabled) return { text: 'Off', tone: 'off' };
  const known = STATUS_LABEL[channel.status];
  const label = known?.label ?? channel.status.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  return { text: channel.statusDetail ? `${label}: ${channel.statusDetail}` : label, tone: known?.tone ?? 'bad' };
}

/** `canEdit`: the viewer is an admin; others see the row's state, and no control that would only fail. */
export function ChannelRow({ inbox, channel, onChanged, canEdit }: { inbox: InboxT; channel: ChannelT; onChanged: () => void; canEdit: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'connection' | 'disconnect' | null>(null);
  const email = channel.email;
  const isTeamMailbox = Boolean(email?.teamAddress);
  const title = email?.isFallback ? 'Fallback email' : channel.name;
  const status = statusText(channel);

  const toggle = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await api.updateChannel(channel.id, { enabled });
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="channel-row">
      <div className="channel-icon" aria-hidden="true">
        {channel.type === 'email' ? '✉' : channel.type === 'chat' ? '💬' : channel.type === 'slack' ? '#' : '{}'}
      </div>
      <div className="channel-main">
        <div className="channel-title">
          <strong>{title}</strong>
          <span className="tag">{TYPE_LABEL[channel.type]}</span>
        </div>
        {email && (
          <dl className="channel-addresses">
            {email.teamAddress && (
              <>
                <dt>Team address</dt>
                <dd>
                  <code className="address">{email.teamAddress}</code>
                  <TeamAddressVerification channel={channel} onChanged={onChanged} />
                </dd>
              </>
            )}
            <dt>Inbound address</dt>
            <dd>
              <code className="address">{email.inboundAddress}</code>
            </dd>
            <dt>Forwarding address</dt>
            <dd className="with-action">
              <code className="address">{email.forwardingAddress}</code>
              <CopyButton value={email.forwardingAddress} label={`Copy forwarding address of ${title}`} />
            </dd>
          </dl>
        )}
        <div className={`channel-status tone-${status.tone}`}>
          <span className="dot" aria-hidden="true" /> {status.text}
        </div>
        {/* On a line of its own: after a long error text, a wrapped "· last checked" would start a line with its separator. */}
        {(email?.lastFetchedAt || email?.lastMailAt) && (
          <div className="channel-times muted small">
            {email.lastFetchedAt && <span title={fullTime(email.lastFetchedAt)}>Last checked {relativeTime(email.lastFetchedAt)}</span>}
            {email.lastMailAt && <span title={fullTime(email.lastMailAt)}>{email.lastFetchedAt ? ' · last mail ' : 'Last mail '}{relativeTime(email.lastMailAt)}</span>}
          </div>
        )}
        {email?.waitingMail && <WaitingMailNote waiting={email.waitingMail} />}
        {error && (
          <div className="alert alert-error small" role="alert">
            {error}
          </div>
        )}
      </div>
      <div className="channel-controls">
        <div className="status-switch">
          <span className="small muted">Status</span>
          <Switch label={`Status of ${title}`} checked={channel.enabled} disabled={busy || !canEdit} onChange={(on) => void toggle(on)} />
        </div>
        <Link className="button button-small button-secondary" to={`/settings/inboxes/${inbox.id}/channels/${channel.id}/configuration`} aria-label={`${canEdit ? 'Edit' : 'View'} ${title}`}>
          {canEdit ? 'Edit' : 'View'}
        </Link>
        {isTeamMailbox && canEdit && (
          <>
            <button type="button" className="button button-small button-secondary" onClick={() => setDialog('connection')} aria-label={`Edit connection of ${title}`}>
              Edit connection
            </button>
            <button type="button" className="button button-small button-secondary" onClick={() => setDialog('disconnect')} aria-label={`Disconnect ${title}`}>
              Disconnect
            </button>
          </>
        )}
      </div>
      {dialog === 'connection' && <EditConnectionDialog channel={channel} onClose={() => setDialog(null)} onChanged={onChanged} />}
      {dialog === 'disconnect' && <DisconnectDialog channel={channel} onClose={() => setDialog(null)} onChanged={onChanged} />}
    </li>
  );
}

/** Mail for this channel our storing failed on: it waits in the spool and is retried, and the team should know. */
function WaitingMailNote({ waiting }: { waiting: WaitingMailT }) {
  const what = waiting.count === 1 ? '1 received message' : `${waiting.count} received messages`;
  const next = waiting.nextAttemptAt && new Date(waiting.nextAttemptAt) > new Date() ? waiting.nextAttemptAt : null;
  return (
    <div className="alert alert-warning small" role="status">
      {what} could not be stored in the inbox yet{waiting.lastError ? `: ${waiting.lastError}` : ''}. {waiting.count === 1 ? 'It stays' : 'They stay'} queued
      and nothing is lost
      {next ? <span title={fullTime(next)}> (next attempt {relativeTime(next)})</span> : null}.
    </div>
  );
}
