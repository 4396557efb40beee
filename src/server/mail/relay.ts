// SMTP transports for outbound mail (nodemailer 7): the configured relay (SMTP_RELAY_URL, one
// pooled transport per URL, reused across messages) and a connected team mailbox's own SMTP server
// (one connection per message), plus the classification of SMTP failures into "retry" and "fail"
// (RFC 5321 §4.2.1: 4yz is transient, 5yz permanent; 503 is "bad sequence", our fault, so retried).
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { DkimOptions } from './dkim.ts';
import type { Composed } from './compose.ts';

export const NO_RELAY_REASON = 'No outbound relay is configured (SMTP_RELAY_URL)';

const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 120_000 } as const;

export interface SmtpServer {
  host: string;
  port: number;
  /** Implicit TLS; false still upgrades with STARTTLS when the server offers it. */
  tls: boolean;
  user?: string;
  password?: string;
  /** The resolved address to connect to (SSRF-checked); `host` stays the TLS server name. */
  address?: string;
}

export function relayServer(url: string): SmtpServer {
  const u = new URL(url);
  const tls = u.protocol === 'smtps:';
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : tls ? 465 : 25,
    tls,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
  };
}

function transportOptions(server: SmtpServer, pool: boolean): SMTPTransport.Options & { pool?: boolean; maxConnections?: number } {
  return {
    host: server.address ?? server.host,
    port: server.port,
    secure: server.tls,
    tls: { servername: server.host },
    auth: server.user ? { user: server.user, pass: server.password ?? '' } : undefined,
    ...TIMEOUTS,
    ...(pool ? { pool: true, maxConnections: 2 } : {}),
    // Never read files or fetch URLs while building a message (DESIGN.md invariants).
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

const pooled = new Map<string, Transporter<SMTPTransport.SentMessageInfo>>();

export function relayTransport(url: string): Transporter<SMTPTransport.SentMessageInfo> {
  let t = pooled.get(url);
  if (!t) {
    t = nodemailer.createTransport(transportOptions(relayServer(url), true) as SMTPTransport.Options);
    pooled.set(url, t);
  }
  return t;
}

export function closeRelayTransports(): void {
  for (const t of pooled.values()) t.close();
  pooled.clear();
}

export interface SendResult {
  response: string;
  rejected: string[];
}

/** Sends composed bytes with the given envelope; DKIM (when given) is added by the transport. */
export async function sendComposed(transport: Transporter<SMTPTransport.SentMessageInfo>, composed: Composed, dkim: DkimOptions | undefined): Promise<SendResult> {
  const info = await transport.sendMail({
    envelope: composed.envelope,
    raw: composed.raw,
    dkim,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return { response: String(info.response ?? ''), rejected: (info.rejected ?? []).map((r) => (typeof r === 'string' ? r : r.address)) };
}

/** One-off send through a team mailbox's own server; the connection is closed afterwards. */
export async function sendViaServer(server: SmtpServer, composed: Composed, dkim: DkimOptions | undefined): Promise<SendResult> {
  const transport = nodemailer.createTransport(transportOptions(server, false) as SMTPTransport.Options);
  try {
    return await sendComposed(transport, composed, dkim);
  } finally {
    transport.close();
  }
}

export type SmtpFailure =
  | { kind: 'permanent'; reason: string }
  | { kind: 'temporary'; reason: string }
  | { kind: 'auth'; reason: string }
  | { kind: 'connection'; reason: string };

interface SmtpErrorShape {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND']);

/** What an SMTP failure means for the message: fail now, retry later, or the server/login is the problem. */
export function classifySmtpError(err: unknown): SmtpFailure {
  const e = (err ?? {}) as SmtpErrorShape;
  const reason = (e.response || e.message || String(err)).trim();
  if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534) return { kind: 'auth', reason };
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500 && e.responseCode !== 503) return { kind: 'permanent', reason };
    return { kind: 'temporary', reason };
  }
  if (e.code && CONNECTION_CODES.has(e.code)) return { kind: 'connection', reason };
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { kind: 'permanent', reason };
  return { kind: 'temporary', reason };
}
