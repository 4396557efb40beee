// Logs in to a team's IMAP and SMTP servers before their settings are saved, and turns what went
// wrong into one clear error (wrong password, unreachable, TLS) for the person typing them. The
// same classification names a connected mailbox's status when the poller fails later on.
import type { ImapFlowOptions } from 'imapflow';
import { newImapClient } from './imap-client.ts';
import nodemailer from 'nodemailer';
import { DomainError, type ErrorCode } from '../core/errors.ts';
import type { MailServerConfig } from '../core/connect-email-channel.ts';
import { resolveMailHost, type ResolvedHost } from './mail-host.ts';

export interface ProbeOptions {
  allowPrivate: boolean;
  /** Per phase (connect, greeting, each command); the whole test stays within a few of these. */
  timeoutMs: number;
}

/** Where the INBOX stood when we logged in: mail after this point is what the poller imports. */
export interface ImapProbe {
  uidValidity: string;
  uidNext: number;
}

export function imapClientOptions(server: MailServerConfig, resolved: ResolvedHost, timeoutMs: number): ImapFlowOptions {
  return {
    host: resolved.address,
    // SNI and the certificate check use the name the user typed, not the address we resolved.
    servername: resolved.host,
    port: server.port,
    secure: server.tls,
    auth: { user: server.user, pass: server.password },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs * 6, 60_000),
  };
}

export type MailFailureKind = 'auth_failed' | 'unreachable' | 'failed';

export interface MailFailure {
  kind: MailFailureKind;
  /** Human text for the channel status and the API error. */
  detail: string;
}

function errText(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown; responseText?: unknown; response?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const raw = typeof e?.responseText === 'string' && e.responseText ? e.responseText : typeof e?.message === 'string' ? e.message : String(err);
  return { code, message: raw.replace(/\s+/g, ' ').trim().slice(0, 300) };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ETIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'NoConnection', 'EConnectionClosed']);

function isTlsError(code: string, message: string): boolean {
  return code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) || code === 'EPROTO' || /certificate|ssl|tls/i.test(message);
}

/**
 * What a failed TLS handshake means for the person filling in the form: OpenSSL's codes name the
 * symptom (ERR_SSL_WRONG_VERSION_NUMBER), not the setting to change. `tlsPort` is the protocol's
 * implicit-TLS port (993 for IMAP, 465 for SMTP).
 */
function tlsFailure(where: string, code: string, message: string, tlsPort: number): string {
  const what = `${code} ${message}`;
  if (/WRONG_VERSION_NUMBER|wrong version number|EPROTO|packet length too long|unknown protocol/i.test(what)) {
    return `TLS with ${where} failed: the server did not answer in TLS. The port may be for plain connections: turn TLS off, or use the server's TLS port (usually ${tlsPort}).`;
  }
  if (/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/i.test(what)) {
    return `TLS with ${where} failed: the server's certificate is self-signed or from an authority this server does not trust, so its identity cannot be checked (${code || 'certificate not trusted'}). Ask your mail provider for the host name that has a certificate from a public authority.`;
  }
  if (/CERT_HAS_EXPIRED|certificate has expired/i.test(what)) return `TLS with ${where} failed: the server's certificate has expired (${code || message}).`;
  if (/ALTNAME|Hostname\/IP does not match/i.test(what)) {
    return `TLS with ${where} failed: the server's certificate is for another host name (${message}). Use the host name the certificate names.`;
  }
  return `TLS with ${where} failed: ${code || message}`;
}

export function classifyImapError(err: unknown, server: Pick<MailServerConfig, 'host' | 'port'> & { tls?: boolean }): MailFailure {
  if (err instanceof DomainError) return { kind: err.code === 'imap_auth_failed' ? 'auth_failed' : 'unreachable', detail: err.message };
  const { code, message } = errText(err);
  if ((err as { authenticationFailed?: boolean })?.authenticationFailed) {
    return { kind: 'auth_failed', detail: `The IMAP server refused the user name or password${message && message !== 'Command failed' ? ` (${message})` : ''}` };
  }
  const where = `${server.host}:${server.port}`;
  // Checked before TLS: imapflow's text for it ends "Maybe should use TLS?", though the server
  // may simply not speak IMAP on that port.
  if (code === 'GREETING_TIMEOUT') {
    const hint = server.tls === false ? ' (if the server expects TLS from the start, turn TLS on)' : '';
    return { kind: 'unreachable', detail: `${where} accepted the connection but sent no IMAP greeting: is it an IMAP port?${hint}` };
  }
  if (isTlsError(code, message)) return { kind: 'unreachable', detail: tlsFailure(where, code, message, 993) };
  if (NETWORK_CODES.has(code)) return { kind: 'unreachable', detail: `Could not connect to ${where}: ${code === 'NoConnection' || code === 'EConnectionClosed' ? 'the connection was closed' : code}` };
  return { kind: 'failed', detail: `The IMAP server ${where} failed: ${message || code || 'unknown error'}` };
}

export function classifySmtpError(err: unknown, server: Pick<MailServerConfig, 'host' | 'port'>): MailFailure {
  if (err instanceof DomainError) return { kind: err.code === 'smtp_auth_failed' ? 'auth_failed' : 'unreachable', detail: err.message };
  const { code, message } = errText(err);
  const where = `${server.host}:${server.port}`;
  if (code === 'EAUTH') return { kind: 'auth_failed', detail: `The SMTP server refused the user name or password (${message})` };
  const inner = (err as { errno?: unknown; cause?: { code?: unknown } })?.cause?.code;
  if (code === 'ETLS' || isTlsError(code, message)) return { kind: 'unreachable', detail: tlsFailure(where, code === 'ETLS' ? '' : code, message, 465) };
  if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS'].includes(code) || NETWORK_CODES.has(code)) {
    const why = /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND/.exec(message)?.[0] ?? (typeof inner === 'string' ? inner : code);
    return { kind: 'unreachable', detail: `Could not connect to ${where}: ${why}` };
  }
  return { kind: 'failed', detail: `The SMTP server ${where} failed: ${message || code || 'unknown error'}` };
}

const IMAP_CODES: Record<MailFailureKind, ErrorCode> = { auth_failed: 'imap_auth_failed', unreachable: 'imap_unreachable', failed: 'imap_failed' };
const SMTP_CODES: Record<MailFailureKind, ErrorCode> = { auth_failed: 'smtp_auth_failed', unreachable: 'smtp_unreachable', failed: 'smtp_failed' };

/** Logs in and opens INBOX read-only; throws DomainError imap_* naming what failed. */
export async function testImapLogin(server: MailServerConfig, opts: ProbeOptions): Promise<ImapProbe> {
  const resolved = await resolveMailHost(server.host, { allowPrivate: opts.allowPrivate, label: 'IMAP', field: 'imap.host' });
  const client = await newImapClient({ ...imapClientOptions(server, resolved, opts.timeoutMs), disableAutoIdle: true });
  client.on('error', () => {}); // surfaced through the rejected promise below
  try {
    await client.connect();
    const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
    return { uidValidity: String(mailbox.uidValidity), uidNext: mailbox.uidNext };
  } catch (err) {
    const failure = classifyImapError(err, server);
    throw new DomainError(IMAP_CODES[failure.kind], failure.detail, failure.kind === 'auth_failed' ? 'imap.password' : 'imap.host');
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export function smtpTransportOptions(server: MailServerConfig, resolved: ResolvedHost, timeoutMs: number) {
  return {
    host: resolved.address,
    port: server.port,
    secure: server.tls,
    auth: { user: server.user, pass: server.password },
    tls: { servername: resolved.host },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs * 3, 30_000),
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** Connects and authenticates (nodemailer verify); throws DomainError smtp_* naming what failed. */
export async function testSmtpLogin(server: MailServerConfig, opts: ProbeOptions): Promise<void> {
  const resolved = await resolveMailHost(server.host, { allowPrivate: opts.allowPrivate, label: 'SMTP', field: 'smtp.host' });
  const transport = nodemailer.createTransport(smtpTransportOptions(server, resolved, opts.timeoutMs));
  try {
    await transport.verify();
  } catch (err) {
    const failure = classifySmtpError(err, server);
    throw new DomainError(SMTP_CODES[failure.kind], failure.detail, failure.kind === 'auth_failed' ? 'smtp.password' : 'smtp.host');
  } finally {
    transport.close();
  }
}
