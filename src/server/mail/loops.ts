// Mail that machines sent: auto-replies, bulk and list mail, loops and bounces. Such mail is
// stored and shown but marked auto_submitted, and nothing automatic (auto-replies,
// notifications to the customer) may ever answer it, or two robots mail each other forever.
// Pure: the email-out helper calls isAutomatic() before any automatic send.

export interface HeaderField {
  /** Lower-case header name. */
  key: string;
  value: string;
}

export interface AutomaticCheck {
  headers: HeaderField[];
  /** The SMTP envelope sender; '' or null is the null sender <> of bounces (RFC 5321 §4.5.5).
   *  Leave undefined when there was no envelope (IMAP). */
  mailFrom?: string | null;
  /** The From address, lower-cased. */
  fromAddress?: string | null;
  /** Our own addresses (lower-cased): mail claiming to come from them is never answered. */
  ownAddresses?: ReadonlySet<string>;
}

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply', 'auto-reply']);

function first(headers: HeaderField[], key: string): string | undefined {
  return headers.find((h) => h.key === key)?.value;
}

/** The reason a message counts as automatic, or null when a person seems to have written it. */
export function automaticReason(input: AutomaticCheck): string | null {
  const { headers } = input;
  // RFC 3834 §5: anything but "no" means a machine sent it.
  const autoSubmitted = first(headers, 'auto-submitted');
  if (autoSubmitted !== undefined && autoSubmitted.trim().toLowerCase().split(/[;\s]/)[0] !== 'no') return `Auto-Submitted: ${autoSubmitted.trim()}`;
  if (headers.some((h) => h.key === 'x-autoreply' || h.key === 'x-autorespond')) return 'auto-reply header';
  const precedence = first(headers, 'precedence');
  if (precedence && BULK_PRECEDENCE.has(precedence.trim().toLowerCase())) return `Precedence: ${precedence.trim()}`;
  // RFC 2369 / 2919: mailing-list mail.
  const list = headers.find((h) => h.key.startsWith('list-'));
  if (list) return `${list.key} header`;
  if (headers.some((h) => h.key === 'x-loop')) return 'X-Loop header';
  if (input.mailFrom !== undefined && (input.mailFrom === null || input.mailFrom.trim() === '' || input.mailFrom.trim() === '<>')) return 'null sender';
  // Mail fetched over IMAP has no envelope; the delivering server recorded it in Return-Path.
  if (first(headers, 'return-path')?.trim() === '<>') return 'null sender (Return-Path: <>)';
  if (input.fromAddress && /^(mailer-daemon|postmaster)@/i.test(input.fromAddress)) return 'mailer daemon';
  if (input.fromAddress && input.ownAddresses?.has(input.fromAddress.toLowerCase())) return 'from one of our own addresses';
  return null;
}

/** True when nothing automatic may answer this message. */
export function isAutomatic(input: AutomaticCheck): boolean {
  return automaticReason(input) !== null;
}

/** RFC 3462/6522: a multipart/report whose report-type is delivery-status is a bounce (DSN, RFC 3464). */
export function isDeliveryReport(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return /^\s*multipart\/report\b/i.test(contentType) && /report-type\s*=\s*"?delivery-status"?/i.test(contentType);
}
