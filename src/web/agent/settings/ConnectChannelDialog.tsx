// "Connect a channel". PLACEHOLDER: the IMAP work replaces this file with the real flow
// (connect a team email address over IMAP/SMTP, later chat and Slack). Until then it lists what
// the inbox already receives and says plainly that connecting more is not available yet.
//
// Props:
//   inbox: InboxT — the inbox to connect a channel to.
//   open: boolean — whether the dialog is shown.
//   onClose: () => void — close the dialog.
//   onChanged: () => void — call after a channel was connected, so the inbox list refetches.
import type { InboxT } from '../../../shared/api.ts';
import { Dialog } from '../ui/Dialog.tsx';

export interface ConnectChannelDialogProps {
  inbox: InboxT;
  open: boolean;
  onClose: () => void;
  onChanged: () => void;
}

export function ConnectChannelDialog({ inbox, open, onClose }: ConnectChannelDialogProps) {
  const fallback = inbox.channels.find((c) => c.email?.isFallback)?.email;
  return (
    <Dialog title="Connect a channel" open={open} onClose={onClose}>
      <p>
        Connecting a team email address, chat or Slack to <strong>{inbox.name}</strong> is not available in this version yet.
      </p>
      {fallback && (
        <p className="muted">
          Meanwhile this inbox receives email sent to <code className="address">{fallback.inboundAddress}</code>, and you can forward a mailbox to{' '}
          <code className="address">{fallback.forwardingAddress}</code>.
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
