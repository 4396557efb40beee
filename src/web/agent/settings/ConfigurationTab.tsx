// A channel's Configuration tab (the fallback email's sending settings). PLACEHOLDER: the
// outgoing-email work replaces this file with the editable form (PATCH /api/v1/channels/{id}).
// Until then it shows the current values read-only.
//
// Props:
//   inbox: InboxT — the inbox the channel belongs to.
//   channel: ChannelT — the channel being configured.
//   onChanged: () => void — call after saving, so the inbox list refetches.
import type { ChannelT, InboxT } from '../../../shared/api.ts';

export interface ConfigurationTabProps {
  inbox: InboxT;
  channel: ChannelT;
  onChanged: () => void;
}

export function ConfigurationTab({ channel }: ConfigurationTabProps) {
  const email = channel.email;
  if (!email) return <p className="muted">This channel has no email settings.</p>;
  return (
    <section aria-label="Configuration">
      <dl className="facts facts-wide">
        <dt>Inbound address</dt>
        <dd>
          <code className="address">{email.inboundAddress}</code>
        </dd>
        <dt>Forwarding address</dt>
        <dd>
          <code className="address">{email.forwardingAddress}</code>
        </dd>
        <dt>Use the Parley email for sending messages</dt>
        <dd>{email.useForSending ? 'Yes' : 'No'}</dd>
        <dt>From name</dt>
        <dd>{email.fromNameMode === 'company' ? `Company name (${email.companyName || 'not set'})` : `Agent and company name (${email.companyName || 'not set'})`}</dd>
        <dt>From address</dt>
        <dd>{email.fromAddressMode === 'custom' ? `${email.customFromAddress ?? ''}${email.customFromVerified ? ' (verified)' : ' (not verified)'}` : 'Use default'}</dd>
        <dt>Team signature</dt>
        <dd>{email.signatureEnabled ? `On (${email.signatureMode})` : 'Off'}</dd>
        <dt>Choose original sender of email forwards</dt>
        <dd>{email.originalSenderOfForwards ? 'On' : 'Off'}</dd>
      </dl>
      <p className="muted small">Editing these settings arrives with outgoing email.</p>
    </section>
  );
}
