// MIME to ParsedEmail with postal-mime: decoded headers and words, text, sanitized HTML,
// attachments and inline images, forwards and delivery reports. Runs inside the parse worker
// (parse-worker.ts) so a hostile message costs a worker thread, never the event loop.
// Problems a lenient parser papers over (a truncated message, binary garbage, a boundary that
// never appears) are reported as `problem` so the message is kept with a visible parse error.
import { createHash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import PostalMime, { type Address, type Email } from 'postal-mime';
import sanitizeHtml from 'sanitize-html';
import { convert as htmlToText, type HtmlToTextOptions } from 'html-to-text';
import EmailReplyParser from 'email-reply-parser';
import type { DeliveryReport, EmailAddr, ForwardedFrom, InboundAttachment, ParsedEmail } from '../core/inbound-email.ts';
import { REPLY_SCAN_CHARS } from '../core/quoted-text.ts';
import { FORWARD_TEXT_CHARS, detectForwardInText } from './forwarded.ts';
import { isDeliveryReport } from './loops.ts';
import { decodeWindows1252 } from './windows-1252.ts';

const LIMITS = { maxNestingDepth: 50, maxHeadersSize: 1024 * 1024, maxRfc822NestingDepth: 0, forceRfc822Attachments: true, attachmentEncoding: 'arraybuffer' } as const;

export interface ParseOutcome {
  parsed: ParsedEmail;
  /** Set when the message is damaged; the parsed fields are then best effort. */
  problem: string | null;
}

/**
 * Ids are stored and indexed; an absurdly long or non-ASCII one (hostile, or broken software)
 * would overflow a PostgreSQL index entry, so it is replaced by a digest, the same everywhere it
 * appears (Message-ID, In-Reply-To, References), which keeps threading intact.
 */
export function storableId(id: string): string {
  if (id.length <= 250 && /^[\x21-\x7e]+$/.test(id)) return id;
  return `h-${createHash('sha256').update(id).digest('hex').slice(0, 40)}@long-id.parley.invalid`;
}

/** Angle brackets and whitespace off; empty means none (RFC 5322 §3.6.4). */
export function cleanMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const m = /<([^<>\s]+)>/.exec(value);
  const id = (m ? m[1]! : value).trim().replace(/^<|>$/g, '');
  return id && !/\s/.test(id) ? storableId(id) : null;
}

export function parseReferences(value: string | undefined | null): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  const ids = bracketed.length ? bracketed : value.split(/[\s,]+/).filter((s) => s.includes('@'));
  // A hostile References header can hold thousands of ids; the newest ones matter for threading.
  return ids.slice(-100).map(storableId);
}

function flatten(list: Address[] | Address | undefined): EmailAddr[] {
  if (!list) return [];
  const arr = Array.isArray(list) ? list : [list];
  const out: EmailAddr[] = [];
  for (const a of arr) {
    if (a.group) for (const g of a.group) out.push({ name: g.name ?? '', address: (g.address ?? '').toLowerCase() });
    else if (a.address !== undefined) out.push({ name: a.name ?? '', address: a.address.toLowerCase() });
  }
  return out.filter((a) => a.address.includes('@'));
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    'img', 'font', 'center', 'span', 'div', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'colgroup', 'col', 'caption', 'u', 's', 'strike', 'big', 'small', 'sub', 'sup',
  ],
  allowedAttributes: {
    '*': ['style', 'align', 'valign', 'width', 'height', 'bgcolor', 'color', 'dir', 'lang', 'title', 'border', 'cellpadding', 'cellspacing', 'colspan', 'rowspan', 'face', 'size'],
    a: ['href', 'name', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
    blockquote: ['type', 'class'],
    // Only the markers the conversation view folds quoted history at (web: email-html.ts).
    div: ['class', { name: 'id', multiple: false, values: ['appendonsend', 'divRplyFwdMsg'] }, { name: 'type', multiple: false, values: ['cite'] }],
  },
  allowedClasses: { div: ['gmail_quote', 'gmail_extra', 'yahoo_quoted', 'moz-cite-prefix'], blockquote: ['gmail_quote'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https', 'cid', 'data'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' } }),
  },
};

/**
 * The text of an HTML-only message (list preview, search, reply detection): link targets and
 * images are left out, as a reader sees them; a mailto target stays, since forwarded headers
 * often carry the original sender's address only there.
 */
const HTML_AS_TEXT: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'a[href^="mailto:"]', format: 'anchor', options: { ignoreHref: false, hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
  ],
};

export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

function bytesOf(content: ArrayBuffer | Uint8Array | string): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

/**
 * `../../etc/passwd` -> `passwd`: a display name only, never a path. Control characters go, and so
 * do the bidirectional controls that make `invoice<RLO>gpj.html` read as `invoicelmth.jpg`.
 */
export function safeFilename(name: string | null | undefined, fallback: string): string {
  const base = (name ?? '').replace(/\\/g, '/').split('/').pop() ?? '';
  const cleaned = base
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  return cleaned || fallback;
}

function headerText(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 64 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** Damage a lenient parser hides: not an email at all, a missing or never-closed boundary. */
function findProblem(raw: Uint8Array, email: Email): string | null {
  if (raw.byteLength === 0) return 'The message is empty';
  const head = headerText(raw);
  if (!/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(head)) return 'Not an email: the message does not start with header fields';
  if (head.includes('\u0000')) return 'Not an email: the header contains NUL bytes';
  if (email.headers.length === 0) return 'Not an email: no header fields could be read';
  const ct = email.headers.find((h) => h.key === 'content-type')?.value ?? '';
  const multipart = /^\s*multipart\//i.test(ct);
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
  if (multipart && boundary) {
    const b = (boundary[1] ?? boundary[2])!;
    const body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
    if (!body.includes(`--${b}`)) return `Broken MIME structure: the boundary "${b.slice(0, 70)}" never appears in the body`;
    if (!body.includes(`--${b}--`)) return 'The message is truncated: its closing MIME boundary is missing';
  } else if (multipart) {
    return 'Broken MIME structure: a multipart message without a boundary';
  }
  return null;
}

/** RFC 3464 §2.3.3 actions, worst first; relayed and expanded count as delivered. */
function worstAction(actions: string[]): DeliveryReport['action'] {
  const seen = new Set(actions.map((a) => a.toLowerCase()));
  if (seen.size === 0 || seen.has('failed')) return 'failed';
  if (seen.has('delayed')) return 'delayed';
  return [...seen].every((a) => a === 'delivered' || a === 'relayed' || a === 'expanded') ? 'delivered' : 'failed';
}

function readDeliveryReport(email: Email): DeliveryReport {
  let reason = '';
  let originalMessageId: string | null = null;
  let actions: string[] = [];
  for (const a of email.attachments) {
    const type = a.mimeType.toLowerCase();
    const text = typeof a.content === 'string' ? a.content : Buffer.from(bytesOf(a.content)).toString('utf8');
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
      // RFC 3464 §2.3: per-recipient fields; unfold continuation lines first.
      const unfolded = text.replace(/\r?\n[ \t]+/g, ' ');
      const diagnostic = /^Diagnostic-Code:\s*(.+)$/im.exec(unfolded)?.[1]?.trim();
      const status = /^Status:\s*(.+)$/im.exec(unfolded)?.[1]?.trim();
      actions = [...unfolded.matchAll(/^Action:\s*([a-z]+)/gim)].map((m) => m[1]!);
      const action = actions[0];
      const recipient = /^Final-Recipient:\s*(?:rfc822;\s*)?(.+)$/im.exec(unfolded)?.[1]?.trim();
      reason = [diagnostic ?? (status ? `Status ${status}` : ''), action && !diagnostic ? `(${action})` : '', recipient ? `for ${recipient}` : ''].filter(Boolean).join(' ');
    } else if (type === 'text/rfc822-headers' || type === 'message/rfc822' || type === 'message/global' || type === 'message/global-headers') {
      const head = text.split(/\r?\n\r?\n/)[0] ?? '';
      const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
      originalMessageId = originalMessageId ?? cleanMessageId(/^Message-ID:\s*(.+)$/im.exec(unfolded)?.[1]);
    }
  }
  if (!reason) reason = (email.text ?? '').trim().split(/\r?\n/).slice(0, 3).join(' ').slice(0, 300) || 'Delivery failed';
  return { originalMessageId, action: worstAction(actions), reason: reason.slice(0, 1000) };
}

async function readForwardedAttachment(content: Uint8Array): Promise<{ forwarded: ForwardedFrom; text: string } | null> {
  const inner = await PostalMime.parse(content, LIMITS);
  const from = flatten(inner.from)[0];
  if (!from) return null;
  const text = inner.text ?? (inner.html ? htmlToText(inner.html, HTML_AS_TEXT) : '');
  return { forwarded: { format: 'rfc822', from, to: flatten(inner.to), cc: flatten(inner.cc), subject: inner.subject ?? null, text: text.slice(0, FORWARD_TEXT_CHARS).trim() }, text };
}

/** NUL is legal in a JS string but not in PostgreSQL text; no mail text needs it. */
function stripNul<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\u0000/g, '') as T;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(stripNul) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripNul(v)])) as T;
  return value;
}

export async function parseEmail(raw: Uint8Array): Promise<ParseOutcome> {
  const outcome = await parseEmailUnclean(raw);
  return { problem: outcome.problem, parsed: stripNul(outcome.parsed) };
}

/**
 * Raw 8-bit header bytes are UTF-8 under RFC 6532, but legacy clients send Latin-1/windows-1252
 * there. When the header block is not valid UTF-8, read it as windows-1252 (a superset of
 * Latin-1) so names and subjects come out readable instead of as U+FFFD. The same goes for the
 * Content-Type and Content-Disposition fields of the MIME parts, where such clients put raw 8-bit
 * attachment names (`filename="résumé.pdf"` in Latin-1). Only the parser's copy changes; the raw
 * message is kept as received.
 */
export function normalizeLegacyHeaders(raw: Uint8Array): Uint8Array {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = buf.indexOf('\r\n\r\n');
  const headEnd = end === -1 ? buf.indexOf('\n\n') : end;
  const head = buf.subarray(0, headEnd === -1 ? Math.min(buf.length, 1024 * 1024) : headEnd);
  const rest = buf.subarray(head.length);
  const fixedHead = isUtf8(head) ? head : Buffer.from(decodeWindows1252(head), 'utf8');
  const fixedRest = normalizePartFields(rest);
  return fixedHead === head && fixedRest === rest ? raw : Buffer.concat([fixedHead, fixedRest]);
}


/** A MIME part's Content-Type or Content-Disposition field, with its folded lines. */
const PART_FIELD = /^content-(?:type|disposition)[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*/gim;

function normalizePartFields(body: Buffer): Buffer {
  if (isAscii(body)) return body;
  const text = body.toString('latin1');
  const pieces: Buffer[] = [];
  let last = 0;
  for (const m of text.matchAll(PART_FIELD)) {
    const field = body.subarray(m.index, m.index + m[0].length);
    if (isUtf8(field)) continue;
    pieces.push(body.subarray(last, m.index), Buffer.from(decodeWindows1252(field), 'utf8'));
    last = m.index + m[0].length;
  }
  if (pieces.length === 0) return body;
  pieces.push(body.subarray(last));
  return Buffer.concat(pieces);
}

async function parseEmailUnclean(original: Uint8Array): Promise<ParseOutcome> {
  const raw = normalizeLegacyHeaders(original);
  const email = await PostalMime.parse(raw, LIMITS);
  const problem = findProblem(raw, email);
  const contentType = email.headers.find((h) => h.key === 'content-type')?.value;
  const report = isDeliveryReport(contentType) ? readDeliveryReport(email) : null;

  let text = email.text ?? '';
  const html = email.html ? sanitizeEmailHtml(email.html) : null;
  if (!text.trim() && email.html) text = htmlToText(email.html, HTML_AS_TEXT);

  const attachments: InboundAttachment[] = [];
  let forwarded: ForwardedFrom | null = null;
  let n = 0;
  for (const a of email.attachments) {
    n++;
    const content = bytesOf(a.content);
    const type = (a.mimeType || 'application/octet-stream').toLowerCase();
    if (!report && !forwarded && (type === 'message/rfc822' || type === 'message/global')) {
      const inner = await readForwardedAttachment(content).catch(() => null);
      if (inner) {
        forwarded = inner.forwarded;
        text = `${text.trimEnd()}\n\n---------- Forwarded message ----------\nFrom: ${inner.forwarded.from.name ? `${inner.forwarded.from.name} <${inner.forwarded.from.address}>` : inner.forwarded.from.address}\nSubject: ${inner.forwarded.subject ?? ''}\n\n${inner.text}`.trimStart();
      }
    }
    const ext = type === 'message/rfc822' ? '.eml' : '';
    attachments.push({
      filename: safeFilename(a.filename, `attachment-${n}${ext}`),
      contentType: type.slice(0, 200),
      contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '').slice(0, 500) : null,
      inline: a.disposition === 'inline' || (a.related === true && Boolean(a.contentId)),
      content,
    });
  }
  const subject = (email.subject ?? '').replace(/[\r\n]+/g, ' ').slice(0, 998);
  if (!forwarded && !report) {
    const fwd = detectForwardInText(subject, text);
    if (fwd) forwarded = fwd;
  }
  // The visible reply serves the preview (200 characters) and the fold of quoted history.
  const head = text.slice(0, REPLY_SCAN_CHARS);
  let visibleText = head;
  try {
    visibleText = new EmailReplyParser().parseReply(head) || head;
  } catch {
    visibleText = head;
  }
  const headers = email.headers.slice(0, 300).map((h) => ({ key: h.key, value: h.value.slice(0, 2000) }));
  return {
    problem,
    parsed: {
      messageId: cleanMessageId(email.messageId),
      inReplyTo: cleanMessageId(email.inReplyTo),
      references: parseReferences(email.references),
      subject,
      from: flatten(email.from)[0] ?? null,
      to: flatten(email.to),
      cc: flatten(email.cc),
      date: isoDate(email.date),
      text,
      html,
      visibleText,
      headers,
      attachments,
      forwarded,
      report,
    },
  };
}
