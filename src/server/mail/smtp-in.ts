// The inbound SMTP receiver (smtp-server) on SMTP_PORT: a thin front-end over the inbound spool.
// It refuses early and precisely at RCPT (Haraka/Postfix style) so senders are told and nothing
// is silently dropped, and answers 250 only after the message is durably in the spool (RFC 5321
// §6.1: after 250 the message must not be lost); the inbound processor, started here, turns the
// spool into conversations. Our own failures are 4xx so the sender retries.
import fs from 'node:fs';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Deps } from '../deps.ts';
import { RecipientCache } from './recipient-cache.ts';
import { parsePool } from './parse.ts';
import { inboundSpool } from './inbound-spool.ts';
import { acquireInboundProcessing, type ProcessingPlace } from './inbound-processing.ts';
import { MessageSink } from './spool-files.ts';
import { SmtpClientLimits } from './smtp-client-limits.ts';

export const MAX_RECIPIENTS = 100;

export interface SmtpReceiverOptions {
  port?: number;
  host?: string;
  /** Idle limit between commands and between DATA chunks (RFC 5321 §4.5.3.2 suggests minutes). */
  socketTimeoutMs?: number;
  /** Cap on a whole connection, against clients that trickle one byte at a time. */
  sessionTimeoutMs?: number;
  /** Shorter cap while a connection has not delivered a message yet. */
  firstMessageTimeoutMs?: number;
  /** Concurrent connections one IP may hold (default: SMTP_MAX_CONNECTIONS_PER_IP). */
  maxConnectionsPerIp?: number;
  /**
   * Where spooled mail becomes conversations, unless another role of this process started it
   * already: a thread of its own (the server: the event loop only receives), or this thread (the
   * default: tests that look inside the processing with their own deps).
   */
  processing?: ProcessingPlace;
}

export interface SmtpReceiver {
  server: SMTPServer;
  port: number;
  /** Resolves when every accepted message has been processed into its conversation. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

function smtpError(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

function isDiskFull(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === '53100';
}

export async function startSmtpReceiver(deps: Deps, opts: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const log = deps.log.child({ role: 'smtp' });
  const spool = inboundSpool(deps.store);
  const recipients = new RecipientCache(deps.store.db, deps.domains, deps.bus);
  // Before listening: drains what a previous run accepted but did not process.
  const processing = acquireInboundProcessing(deps, opts.processing ?? 'in-process');
  // Each accepted recipient's channel (smtp-server keeps the address objects it passed to
  // onRcptTo in the envelope): mail for one channel is spooled under it, so a message that keeps
  // failing shows on that channel's status, not only in the log.
  const channelOf = new WeakMap<SMTPServerAddress, string>();
  const maxBytes = deps.config.smtpMaxMessageBytes;
  const tls = deps.config.smtpTls;
  // The idle timeout resets on every byte, so a client trickling one byte a minute would hold a
  // connection forever: cap the whole session too, and more tightly until it delivers a message
  // (RFC 5321 §4.5.3.2's longest step, the end of DATA, is 10 minutes).
  const limits = new SmtpClientLimits({
    maxConnectionsPerIp: opts.maxConnectionsPerIp ?? deps.config.smtpMaxConnectionsPerIp,
    sessionLimitMs: opts.sessionTimeoutMs ?? 30 * 60_000,
    firstMessageLimitMs: opts.firstMessageTimeoutMs ?? 10 * 60_000,
  });
  const server = new SMTPServer({
    name: deps.domains.mailDomain,
    banner: 'Parley ESMTP',
    size: maxBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? { key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert) } : {}),
    logger: false,
    // The client's host name is never used, and resolving it costs every connection a lookup
    // (up to 1.5 s where the resolver is slow or, as on an offline host, unreachable).
    disableReverseLookup: true,
    maxClients: 1000,
    socketTimeout: opts.socketTimeoutMs ?? 120_000,
    closeTimeout: 30_000,

    onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void) {
      if (!limits.admits(session)) return callback(smtpError(421, '4.7.0 Too many connections from your address'));
      callback();
    },

    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      // RFC 5321 §4.5.3.1.8: a server may refuse more than it wants with 452, the client sends the rest later.
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) return callback(smtpError(452, `4.5.3 Too many recipients (at most ${MAX_RECIPIENTS} a message)`));
      recipients
        .lookup(address.address)
        .then((target) => {
          if (!target) return callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
          if (!target.enabled) return callback(smtpError(550, `5.2.1 <${address.address}>: this channel is turned off and does not accept email`));
          channelOf.set(address, target.channelId);
          callback();
        })
        .catch((err: unknown) => {
          log.error({ err }, 'recipient lookup failed');
          callback(smtpError(451, '4.3.0 Temporary failure looking up the recipient, try again later'));
        });
    },

    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      // Small messages stay in memory; larger ones stream to a spool file, so a 25 MB message
      // never sits whole in this process while it is received.
      const sink = new MessageSink(deps.config.dataDir);
      stream.on('data', (chunk: Buffer) => {
        if (sink.size + chunk.length > maxBytes) {
          sink.size += chunk.length;
          return;
        }
        if (!sink.write(chunk)) {
          stream.pause();
          sink.onDrain(() => stream.resume());
        }
      });
      // A client that goes away mid-DATA: smtp-server destroys the stream without an end.
      let ended = false;
      stream.on('error', () => {});
      stream.once('close', () => {
        if (!ended) void sink.discard();
      });
      stream.on('end', () => {
        ended = true;
        if (sink.size > maxBytes || stream.sizeExceeded) {
          void sink.discard();
          return callback(smtpError(552, `5.3.4 Message too big: the limit is ${maxBytes} bytes`));
        }
        const mailFrom = session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address || null;
        const channels = new Set(session.envelope.rcptTo.map((r) => channelOf.get(r)));
        const only = channels.size === 1 ? [...channels][0] : undefined;
        spool
          .appendSink(sink, { via: 'smtp', ...(only ? { channelId: only } : {}), mailFrom, recipients: session.envelope.rcptTo.map((r) => r.address) })
          .then((id) => {
            limits.delivered(session);
            callback(null, `2.0.0 Queued as ${id}`);
          })
          .catch((err: unknown) => {
            if (isDiskFull(err)) {
              log.error({ err }, 'disk full: message refused with 452');
              return callback(smtpError(452, '4.3.1 Insufficient system storage, try again later'));
            }
            log.error({ err }, 'spooling failed: message refused with 451');
            callback(smtpError(451, '4.3.0 Temporary failure storing the message, try again later'));
          });
      });
    },
  });
  server.on('error', (err) => log.warn({ err }, 'SMTP connection error'));
  server.server.on('connection', (socket) => limits.track(socket));

  const host = opts.host ?? deps.config.host;
  const listening = new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? deps.config.smtpPort, host, () => {
      server.server.off('error', reject);
      const addr = server.server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : (opts.port ?? deps.config.smtpPort));
    });
  });
  const port = await listening.catch(async (err: unknown) => {
    recipients.close();
    await processing.release();
    throw err;
  });
  // Start the parse workers now rather than on the first message (the processor's thread has its own).
  if (processing.processor) void parsePool();
  log.info({ port, host, tls: Boolean(tls), maxBytes }, 'SMTP receiver listening');
  return {
    server,
    port,
    settled: () => processing.idle(),
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      recipients.close();
      await processing.release();
    },
  };
}

