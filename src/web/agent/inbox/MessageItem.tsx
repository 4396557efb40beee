// One entry of a thread: an email or chat message (card), an internal note (yellow), or an
// activity line (small and centred). Email HTML goes through EmailFrame, never into the app's DOM.
import type { ContactT, MessageT, UserT } from '../../../shared/api.ts';
import { Avatar, fileSize, fullTime, relativeTime } from '../ui/format.tsx';
import { AddressList, formatAddresses } from './AddressList.tsx';
import { EmailFrame } from './EmailFrame.tsx';
import { PlainTextEmail } from './PlainTextEmail.tsx';
import { contactName, SenderName, UNKNOWN_SENDER } from './SenderName.tsx';
import './thread.css';

/** Who wrote a message; name is null for mail that names nobody (shown as "Unknown sender"). */
function authorOf(m: MessageT, contact: ContactT | null, usersById: Map<string, UserT>): { name: string | null; detail: string | null } {
  // Notes are written by teammates only; never show a contact as a note's author.
  if (m.kind === 'note' && !m.authorUserId) return { name: 'A teammate', detail: null };
  if (m.authorUserId) {
    const user = usersById.get(m.authorUserId);
    return { name: user ? user.fullName || user.email : 'A teammate', detail: m.email?.from?.address ?? null };
  }
  const from = m.email?.from;
  if (from) return { name: from.name || from.address, detail: from.name ? from.address : null };
  if (contact) return { name: contactName(contact), detail: contact.name ? contact.email : null };
  return { name: m.direction === 'in' ? null : 'Parley', detail: null };
}

function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={fullTime(iso)} className="message-time">
      {relativeTime(iso)}
    </time>
  );
}

function DeliveryStatus({ m }: { m: MessageT }) {
  if (!m.deliveryStatus) return null;
  if (m.deliveryStatus === 'failed') {
    return (
      <div className="alert alert-error small" role="alert">
        Not delivered{m.deliveryError ? `: ${m.deliveryError}` : ''}
      </div>
    );
  }
  const label = m.deliveryStatus === 'sent' ? 'Sent' : m.deliveryStatus === 'queued' ? 'Queued' : 'Sending';
  return (
    <p className={`delivery delivery-${m.deliveryStatus}`}>
      {label}
      {m.deliveryStatus !== 'sent' && m.deliveryError ? ` — ${m.deliveryError}` : ''}
    </p>
  );
}

export function MessageItem({ message: m, contact, usersById }: { message: MessageT; contact: ContactT | null; usersById: Map<string, UserT> }) {
  if (m.kind === 'activity') {
    return (
      <li className="activity-line">
        <span>{m.text}</span> · <Time iso={m.createdAt} />
      </li>
    );
  }
  const author = authorOf(m, contact, usersById);
  const authorLabel = author.name ?? UNKNOWN_SENDER;
  if (m.kind === 'note') {
    return (
      <li className="note" aria-label={`Note by ${authorLabel}`}>
        <header className="message-header">
          <Avatar name={author.name ?? ''} size={28} />
          <div className="message-from">
            <strong>
              <SenderName name={author.name} />
            </strong> <span className="note-tag">left a note</span>
          </div>
          <Time iso={m.createdAt} />
        </header>
        <div className="message-text" dir="auto">{m.text}</div>
      </li>
    );
  }
  // An inline image the HTML shows is not listed again. The server rewrites the HTML's cid:
  // references to the attachment's URL when the mail arrives; either form counts.
  const shownInHtml = (a: MessageT['attachments'][number]) => Boolean(m.html && (m.html.includes(a.url) || (a.contentId && m.html.includes(`cid:${a.contentId.replace(/^<|>$/g, '')}`))));
  const visibleAttachments = m.attachments.filter((a) => !(a.inline && shownInHtml(a)));
  return (
    <li className={m.direction === 'out' ? 'message message-out' : 'message message-in'}>
      <header className="message-header">
        <Avatar name={author.name ?? ''} size={32} />
        <div className="message-from">
          {/* Floated right of the first line, so the lines below it (address, recipients) get the full width. */}
          <Time iso={m.createdAt} />
          <div>
            <strong>
              <SenderName name={author.name} />
            </strong>
            {author.detail && <span className="muted"> &lt;{author.detail}&gt;</span>}
          </div>
          {m.email && m.email.to.length > 0 && <AddressList label="To" addresses={m.email.to} />}
          {m.email && m.email.cc.length > 0 && <AddressList label="Cc" addresses={m.email.cc} />}
          {m.email?.forwardedFrom && <div className="muted small">Forwarded from {formatAddresses([m.email.forwardedFrom])}</div>}
        </div>
      </header>
      {/* Below the header, not beside it: a long reason must not squeeze the sender and recipients. */}
      <DeliveryStatus m={m} />
      {m.parseError && (
        <div className="alert alert-warning small" role="alert">
          This email could not be read completely: {m.parseError}
          {/[.!?]\s*$/.test(m.parseError) ? '' : '.'}
          {m.hasRaw && ' Download the original to see it as it arrived.'}
        </div>
      )}
      {m.html ? (
        // In a forward the quoted part is the message itself: shown, not folded away as history.
        <EmailFrame html={m.html} attachments={m.attachments} title={`Email from ${authorLabel}`} quotedOpenAtFirst={Boolean(m.email?.forwardedFrom)} />
      ) : m.email ? (
        <PlainTextEmail text={m.text} quoteStart={m.email.quoteStart} />
      ) : (
        <div className="message-text" dir="auto">{m.text}</div>
      )}
      {(visibleAttachments.length > 0 || m.hasRaw) && (
        <footer className="message-footer">
          {visibleAttachments.length > 0 && (
            <ul className="attachments" aria-label="Attachments">
              {visibleAttachments.map((a) => (
                <li key={a.id}>
                  <a href={a.url} download={a.filename} className="attachment">
                    <svg className="attachment-icon" width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
                      <path d="m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 18 8.84l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48" />
                    </svg>
                    <span className="attachment-name">{a.filename}</span>
                    <span className="muted small">{fileSize(a.size)}</span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          {m.hasRaw && (
            <a className="raw-link small" href={`/api/v1/messages/${m.id}/raw`} download>
              Download original
            </a>
          )}
        </footer>
      )}
    </li>
  );
}
