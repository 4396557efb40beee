// The reply box under a conversation: "Reply" (an email to the contact, with CC, BCC and
// attachments, sent through the outbox) and "Internal comment" (a note with @mention suggestions,
// never emailed), switchable by clicking the tabs or with Arrow keys on them, and Ctrl/⌘+Enter to
// send. Emails that could not be delivered are listed above it with the relay's reply and Retry.
//
// Props:
//   conversation: ConversationT — the conversation being answered.
//   inbox: InboxT — its inbox (channels and their sending settings).
//   viewOnly: boolean — the user may only view this inbox; the composer disables itself and says why.
//   onSent: () => void — called after a reply or note was stored, so the thread refetches.
import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { MESSAGE_BODY_MAX_CHARS, type ConversationT, type InboxT, type MessageT } from '../../../shared/api.ts';
import { request, errorMessage, ApiError } from '../api/client.ts';
import { keys, useInboxes, useMessages, useUsers } from '../api/queries.ts';
import { AddressList, type Address } from './AddressList.tsx';
import './composer.css';

export interface ComposerProps {
  conversation: ConversationT;
  inbox: InboxT;
  viewOnly: boolean;
  onSent: () => void;
}

type Mode = 'message' | 'note';
interface Attachment {
  filename: string;
  contentType: string;
  contentBase64: string;
  size: number;
}

const MAX_BYTES = 10 * 1024 * 1024;

function parseAddresses(text: string): { address: string }[] {
  return text
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((address) => ({ address }));
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.readAsDataURL(file);
  });
}

/**
 * The CC a reply keeps when the agent leaves the CC field alone, picked as the server does
 * (core/reply-to-conversation.ts): the newest email's CC, each address once, without the contact
 * or the inboxes' own addresses. Shown, so nobody writes to hundreds of people unawares. The server
 * also drops addresses of inboxes this user cannot see and addresses it cannot send to safely, so
 * in rare mail this may count one or two more than go out.
 */
function keptThreadCc(messages: MessageT[], contactEmail: string | null, inboxes: InboxT[]): Address[] {
  const thread = messages.findLast((m) => m.kind === 'message' && Boolean(m.email?.messageId));
  const ours = inboxes.flatMap((i) => i.channels.flatMap((c) => (c.email ? [c.email.inboundAddress, c.email.forwardingAddress, c.email.teamAddress] : [])));
  const skip = new Set([contactEmail, ...ours].flatMap((a) => (a ? [a.toLowerCase()] : [])));
  const kept: Address[] = [];
  for (const a of thread?.email?.cc ?? []) {
    const address = a.address.trim().toLowerCase();
    if (skip.has(address)) continue;
    skip.add(address);
    kept.push({ name: a.name, address });
  }
  return kept;
}

/** Failed emails of this conversation, each with the relay's reply and a Retry button. */
function Undelivered({ conversationId, disabled, onRetried }: { conversationId: string; disabled: boolean; onRetried: () => void }) {
  const messages = useMessages(conversationId);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const failed = (messages.data ?? []).filter((m: MessageT) => m.kind === 'message' && m.direction === 'out' && m.deliveryStatus === 'failed');
  if (failed.length === 0) return null;
  const retry = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await request('POST', `/messages/${id}/retry`, {});
      onRetried();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="composer-undelivered" role="alert">
      {failed.map((m) => (
        <div key={m.id} className="composer-undelivered-row">
          <span>
            <strong>Not delivered:</strong> “{m.text.slice(0, 60)}
            {m.text.length > 60 ? '…' : ''}” — {m.deliveryError ?? 'the mail server refused it'}
          </span>
          <button type="button" className="button button-small button-secondary" disabled={disabled || busy === m.id} onClick={() => void retry(m.id)}>
            {busy === m.id ? 'Retrying…' : 'Retry'}
          </button>
        </div>
      ))}
      {error && <div className="alert alert-error small">{error}</div>}
    </div>
  );
}

export function Composer({ conversation, inbox, viewOnly, onSent }: ComposerProps) {
  const queryClient = useQueryClient();
  const users = useUsers();
  const messages = useMessages(conversation.id);
  const inboxes = useInboxes();
  const [mode, setMode] = useState<Mode>('message');
  const [body, setBody] = useState('');
  const [showCc, setShowCc] = useState(false);
  const [cc, setCc] = useState<string | null>(null);
  const [bcc, setBcc] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [mention, setMention] = useState<{ query: string; start: number } | null>(null);
  const [highlight, setHighlight] = useState(0);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const tabRefs = [useRef<HTMLButtonElement>(null), useRef<HTMLButtonElement>(null)];

  const channel = inbox.channels.find((c) => c.id === conversation.channelId && c.email && !c.email.isFallback && c.email.teamAddress) ?? inbox.channels.find((c) => c.email?.isFallback);
  const to = conversation.contact?.email ?? null;
  const sendingOff = Boolean(channel?.email?.isFallback && !channel.email.useForSending);
  const disabledReason = viewOnly
    ? 'You can view this inbox but not reply. Ask an admin to add you in the inbox’s Access settings.'
    : mode === 'message' && !to
      ? 'This conversation has no contact email address to reply to. Leave an internal comment instead.'
      : mode === 'message' && sendingOff
        ? 'Sending is turned off for this inbox: turn on “Use the Parley email for sending messages” in the fallback email’s Configuration tab.'
        : null;

  const keptCc = useMemo(() => keptThreadCc(messages.data ?? [], to, inboxes.data ?? [inbox]), [messages.data, to, inboxes.data, inbox]);

  const suggestions = useMemo(() => {
    if (!mention || mode !== 'note') return [];
    const q = mention.query.toLowerCase();
    return (users.data ?? []).filter((u) => `${u.firstName} ${u.lastName} ${u.email}`.toLowerCase().includes(q)).slice(0, 6);
  }, [mention, mode, users.data]);

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
    setMention(null);
  };

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next: Mode = mode === 'message' ? 'note' : 'message';
    switchTo(next);
    tabRefs[next === 'message' ? 0 : 1]!.current?.focus();
  };

  const onBodyChange = (value: string, caret: number) => {
    setBody(value);
    if (mode !== 'note') return;
    const before = value.slice(0, caret);
    const m = /(^|\s)@([\p{L}\p{N}._-]{0,30})$/u.exec(before);
    setMention(m ? { query: m[2]!, start: caret - m[2]!.length - 1 } : null);
    setHighlight(0);
  };

  const pendingCaret = useRef<number | null>(null);

  const pickMention = (name: string) => {
    if (!mention) return;
    const el = textRef.current;
    const caret = el?.selectionStart ?? body.length;
    // core/mentions.ts reads "@Full Name" and "@email".
    const token = `@${name} `;
    const next = body.slice(0, mention.start) + token + body.slice(caret);
    // The caret is placed in the same commit as the new text (layout effect below), not in a later
    // frame: a key typed in between would otherwise land after the caret's final position.
    pendingCaret.current = mention.start + token.length;
    setBody(next);
    setMention(null);
  };

  useLayoutEffect(() => {
    const el = textRef.current;
    const pos = pendingCaret.current;
    if (el === null || pos === null) return;
    pendingCaret.current = null;
    el.focus();
    el.setSelectionRange(pos, pos);
  }, [body]);

  const addFiles = async (files: FileList | null) => {
    if (!files) return;
    const added: Attachment[] = [];
    for (const file of Array.from(files)) added.push({ filename: file.name, contentType: file.type || 'application/octet-stream', contentBase64: await readBase64(file), size: file.size });
    const all = [...attachments, ...added];
    if (all.reduce((n, a) => n + a.size, 0) > MAX_BYTES) {
      setError({ message: 'Attachments may total at most 10 MB', field: 'attachments' });
      return;
    }
    setAttachments(all);
  };

  const send = async () => {
    if (disabledReason || sending) return;
    if (!body.trim() && attachments.length === 0) {
      setError({ message: 'Write a message first', field: 'body' });
      return;
    }
    if (body.length > MESSAGE_BODY_MAX_CHARS) {
      const what = mode === 'message' ? 'A reply' : 'A comment';
      setError({ message: `${what} can be at most ${MESSAGE_BODY_MAX_CHARS.toLocaleString('en')} characters; this one has ${body.length.toLocaleString('en')}.`, field: 'body' });
      return;
    }
    setSending(true);
    setError(null);
    try {
      const payload: Record<string, unknown> = { kind: mode, body };
      if (mode === 'message') {
        if (cc !== null) payload.cc = parseAddresses(cc);
        if (bcc.trim()) payload.bcc = parseAddresses(bcc);
      }
      if (attachments.length) payload.attachments = attachments.map(({ filename, contentType, contentBase64 }) => ({ filename, contentType, contentBase64 }));
      await request('POST', `/conversations/${conversation.id}/messages`, payload);
      setBody('');
      setAttachments([]);
      setCc(null);
      setBcc('');
      setShowCc(false);
      await queryClient.invalidateQueries({ queryKey: keys.messages(conversation.id) });
      onSent();
    } catch (err) {
      setError({ message: errorMessage(err), field: err instanceof ApiError ? err.field : undefined });
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Mention suggestions: Arrow keys move, Enter or Tab picks, Escape closes.
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setHighlight((h) => (h + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        const u = suggestions[Math.min(highlight, suggestions.length - 1)]!;
        pickMention(u.fullName || u.email);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
    if (e.key === 'Escape') setMention(null);
  };

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.messages(conversation.id) });
    onSent();
  };

  return (
    <section className={`composer composer-${mode}`} aria-label="Reply">
      <Undelivered conversationId={conversation.id} disabled={viewOnly} onRetried={refresh} />
      <div className="tabs composer-tabs" role="tablist" aria-label="Reply or comment">
        <button ref={tabRefs[0]} type="button" role="tab" className="tab" aria-selected={mode === 'message'} tabIndex={mode === 'message' ? 0 : -1} onClick={() => switchTo('message')} onKeyDown={onTabKey}>
          Reply
        </button>
        <button ref={tabRefs[1]} type="button" role="tab" className="tab" aria-selected={mode === 'note'} tabIndex={mode === 'note' ? 0 : -1} onClick={() => switchTo('note')} onKeyDown={onTabKey}>
          Internal comment
        </button>
      </div>
      {disabledReason ? (
        <p className="composer-disabled muted small" role="note">
          {disabledReason}
        </p>
      ) : (
        <form
          className="composer-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          {mode === 'message' && (
            <div className="composer-recipients small">
              <span>
                To <strong>{conversation.contact?.name ? `${conversation.contact.name} <${to}>` : to}</strong>
                {channel?.email ? <span className="muted"> · from {channel.email.teamAddress && !channel.email.isFallback ? channel.email.teamAddress : 'the fallback email'}</span> : null}
              </span>
              {!showCc && (
                <button type="button" className="link-button" onClick={() => setShowCc(true)}>
                  CC/BCC
                </button>
              )}
            </div>
          )}
          {mode === 'message' && cc === null && keptCc.length > 0 && (
            <AddressList label="Cc" intro={`${keptCc.length.toLocaleString('en')} ${keptCc.length === 1 ? 'person' : 'people'} from the thread: `} addresses={keptCc} shown={3} />
          )}
          {mode === 'message' && showCc && (
            <div className="composer-cc">
              <label>
                CC
                <input value={cc ?? ''} placeholder="Keeps the thread’s CC when left untouched" onChange={(e) => setCc(e.target.value)} aria-invalid={error?.field?.startsWith('cc') ?? false} />
              </label>
              <label>
                BCC
                <input value={bcc} onChange={(e) => setBcc(e.target.value)} aria-invalid={error?.field?.startsWith('bcc') ?? false} />
              </label>
            </div>
          )}
          <div className="composer-body">
            <textarea
              ref={textRef}
              value={body}
              rows={4}
              dir="auto"
              aria-label={mode === 'message' ? 'Reply' : 'Internal comment'}
              placeholder={mode === 'message' ? 'Write a reply…' : 'Write an internal comment… Type @ to mention a teammate'}
              onChange={(e) => onBodyChange(e.target.value, e.target.selectionStart)}
              onKeyDown={onKeyDown}
            />
            {suggestions.length > 0 && (
              <ul className="mention-list" role="listbox" aria-label="Mention a teammate">
                {suggestions.map((u, i) => (
                  <li key={u.id}>
                    <button type="button" role="option" aria-selected={i === highlight} className={i === highlight ? 'active' : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => pickMention(u.fullName || u.email)}>
                      <strong>{u.fullName || u.email}</strong> <span className="muted">{u.email}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          {attachments.length > 0 && (
            <ul className="composer-attachments small">
              {attachments.map((a, i) => (
                <li key={`${a.filename}-${i}`}>
                  📎 {a.filename}{' '}
                  <button type="button" className="link-button" aria-label={`Remove ${a.filename}`} onClick={() => setAttachments(attachments.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          {error && (
            <div className="alert alert-error small" role="alert">
              {error.message}
            </div>
          )}
          <div className="composer-footer">
            <label className="button button-small button-secondary composer-attach">
              Attach files
              <input type="file" multiple hidden onChange={(e) => void addFiles(e.target.files).finally(() => (e.target.value = ''))} />
            </label>
            <span className="muted small">Ctrl+Enter to send</span>
            <button type="submit" className="button button-primary" disabled={sending}>
              {sending ? 'Sending…' : mode === 'message' ? 'Send' : 'Add comment'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
