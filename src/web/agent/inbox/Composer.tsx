// The reply box under a conversation. PLACEHOLDER: the outgoing-email work replaces this file with
// the real composer (POST /api/v1/conversations/{id}/messages). Until then it says honestly where
// a reply would go and that replying is not available here yet.
//
// Props:
//   conversation: ConversationT — the conversation being answered.
//   inbox: InboxT — its inbox (channels and their sending settings).
//   viewOnly: boolean — the user may only view this inbox; the composer must disable itself.
//   onSent: () => void — call after a reply or note was stored, so the thread refetches.
import type { ConversationT, InboxT } from '../../../shared/api.ts';

export interface ComposerProps {
  conversation: ConversationT;
  inbox: InboxT;
  viewOnly: boolean;
  onSent: () => void;
}

export function Composer({ conversation, inbox, viewOnly }: ComposerProps) {
  const channel = inbox.channels.find((c) => c.id === conversation.channelId) ?? inbox.channels.find((c) => c.email?.isFallback);
  const to = conversation.contact?.email;
  return (
    <section className="composer composer-placeholder" aria-label="Reply">
      {viewOnly ? (
        <p className="muted small">You can read this conversation but not reply.</p>
      ) : (
        <p className="muted small">
          Replies {to ? <>to <strong>{to}</strong> </> : null}
          {channel?.email ? <>go out from <strong>{channel.email.inboundAddress}</strong>. </> : null}
          Writing replies from Parley is not available in this version yet.
        </p>
      )}
    </section>
  );
}
