// The shape of an inbound email once parsed: what receive-email needs, nothing about MIME.
// Produced by mail/parse-worker.ts (in a worker thread) and consumed by core/receive-email.ts.

export interface EmailAddr {
  name: string;
  address: string;
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  contentId: string | null;
  inline: boolean;
  content: Uint8Array;
}

export interface ForwardedFrom {
  /** gmail | apple | thunderbird | outlook | rfc822 */
  format: string;
  from: EmailAddr;
  to: EmailAddr[];
  cc: EmailAddr[];
  subject: string | null;
  /** The start of the forwarded message's own text: the conversation's preview when it is logged to the original sender. */
  text: string;
}

export interface DeliveryReport {
  /** Message-ID (no angle brackets) of the message that bounced, from the DSN's returned headers. */
  originalMessageId: string | null;
  /** RFC 3464 Action, the worst over its recipients; a report without one counts as a failure. */
  action: 'failed' | 'delayed' | 'delivered';
  /** Human-readable reason: Diagnostic-Code, else Status and Action. */
  reason: string;
}

export interface ParsedEmail {
  /** Without angle brackets; null when the mail had none (a synthetic one is made later). */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: EmailAddr | null;
  to: EmailAddr[];
  cc: EmailAddr[];
  /** ISO-8601 UTC, or null when missing or unreadable. */
  date: string | null;
  text: string;
  /** Sanitized for display (sanitize-html); still shown only in a sandboxed frame. */
  html: string | null;
  /** The visible reply without quoted history or signature, for previews. */
  visibleText: string;
  /** Lower-case header names and decoded values, top-level only. */
  headers: Array<{ key: string; value: string }>;
  attachments: InboundAttachment[];
  forwarded: ForwardedFrom | null;
  report: DeliveryReport | null;
}
