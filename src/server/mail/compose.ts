// Builds the exact bytes of an outbound email (RFC 5322 + MIME) with nodemailer's MailComposer.
// Every header value passes through here: names and subjects lose control characters, addresses
// must be plain dot-atom addresses, Message-IDs must look like ids, and file/URL access is off, so
// nothing a user typed can add a header, read a local file or fetch a URL.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { convert as htmlToText } from 'html-to-text';
import { escapeHtml, headerText, isPlainAddress } from '../core/sender.ts';

export interface Addr {
  name: string;
  address: string;
}

export interface OutboundAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface ComposeInput {
  from: Addr;
  to: Addr[];
  cc: Addr[];
  bcc: Addr[];
  replyTo?: string | null;
  subject: string;
  /** Without angle brackets. */
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  text: string;
  /** The agent's HTML body (already sanitised), or null for a plain-text reply. */
  html?: string | null;
  /** Team signature HTML (sanitised, tokens filled), appended to the body; '' for none. */
  signatureHtml?: string;
  date: Date;
  /** RFC 3834 §5: automatic mail (verification links, notifications) says so. */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  /** The SMTP envelope sender (bounces come back here); defaults to the From address. */
  envelopeFrom?: string;
  attachments?: OutboundAttachment[];
}

export interface Composed {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

export class UnsafeHeaderError extends Error {}

/** A Message-ID without brackets: `left@right`, printable ASCII, no spaces (RFC 5322 §3.6.4). */
const MSGID = /^[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x5a\x5e-\x7e]+$/;

export function isSafeMessageId(id: string): boolean {
  return id.length <= 250 && MSGID.test(id);
}

function checkAddr(a: Addr, field: string): { name: string; address: string } {
  const address = a.address.trim();
  if (!isPlainAddress(address)) throw new UnsafeHeaderError(`${field}: "${address}" is not a plain email address`);
  return { name: headerText(a.name), address };
}

function textToHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>\n');
}

/** The body a contact reads: the reply, then (for inbox emails) the team signature. */
export function bodies(input: Pick<ComposeInput, 'text' | 'html' | 'signatureHtml'>): { text: string; html: string | null } {
  const sig = input.signatureHtml ?? '';
  const htmlBody = input.html ?? null;
  if (!sig && !htmlBody) return { text: input.text, html: null };
  const html = `<div>${htmlBody ?? textToHtml(input.text)}</div>${sig ? `\n<br>\n<div class="parley-signature">${sig}</div>` : ''}`;
  const sigText = sig ? htmlToText(sig, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] }).trim() : '';
  return { text: sigText ? `${input.text}\n\n-- \n${sigText}` : input.text, html };
}

/** The nodemailer options, with file and URL access disabled for the message and every part. */
export function mailOptions(input: ComposeInput): Mail.Options & { envelope: { from: string; to: string[] } } {
  const from = checkAddr(input.from, 'From');
  const to = input.to.map((a) => checkAddr(a, 'To'));
  const cc = input.cc.map((a) => checkAddr(a, 'Cc'));
  const bcc = input.bcc.map((a) => checkAddr(a, 'Bcc'));
  if (to.length + cc.length + bcc.length === 0) throw new UnsafeHeaderError('No recipients');
  if (!isSafeMessageId(input.messageId)) throw new UnsafeHeaderError('Message-ID is not a valid id');
  const replyTo = input.replyTo ? checkAddr({ name: '', address: input.replyTo }, 'Reply-To').address : undefined;
  const envelopeFrom = input.envelopeFrom ? checkAddr({ name: '', address: input.envelopeFrom }, 'envelope sender').address : from.address;
  // Ids from inbound mail are kept only if they are plain ids; anything else would break the header.
  const refs = (input.references ?? []).filter(isSafeMessageId);
  const inReplyTo = input.inReplyTo && isSafeMessageId(input.inReplyTo) ? input.inReplyTo : undefined;
  const { text, html } = bodies(input);
  const headers: Record<string, string> = {};
  if (input.autoSubmitted) headers['Auto-Submitted'] = input.autoSubmitted;
  return {
    from,
    to,
    cc: cc.length ? cc : undefined,
    bcc: bcc.length ? bcc : undefined,
    replyTo,
    subject: headerText(input.subject),
    messageId: `<${input.messageId}>`,
    inReplyTo: inReplyTo ? `<${inReplyTo}>` : undefined,
    // The last 20 ids: enough for threading, bounded against a hostile References header.
    references: refs.length ? refs.slice(-20).map((r) => `<${r}>`) : undefined,
    date: input.date,
    text,
    html: html ?? undefined,
    headers,
    attachments: (input.attachments ?? []).map((a) => ({ filename: headerText(a.filename) || 'attachment', contentType: a.contentType, content: a.content })),
    disableFileAccess: true,
    disableUrlAccess: true,
    envelope: { from: envelopeFrom, to: [...to, ...cc, ...bcc].map((a) => a.address) },
  };
}

/** The raw bytes (without DKIM; the transport signs) and the SMTP envelope. */
export async function compose(input: ComposeInput): Promise<Composed> {
  const options = mailOptions(input);
  // MailComposer leaves Bcc out of the bytes (no keepBcc): Bcc recipients are reached through the envelope only.
  const raw = await new MailComposer(options).compile().build();
  return { raw, envelope: options.envelope };
}
