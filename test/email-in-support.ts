// Shared by the email-in tests: a raw-socket SMTP client (for protocol probes nodemailer would
// not send), a nodemailer-free "send this .eml" helper, small API lookups, and the API with an SMTP
// receiver for a suite.
import net from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { TestStore } from './helpers/stores.ts';
import { testApp } from './helpers/api.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../src/server/mail/smtp-in.ts';

/** For a describeEachStore suite: the API and an SMTP receiver on a free port, up for all its tests. */
export function apiAndReceiver(store: () => TestStore): { readonly app: FastifyInstance; readonly smtp: SmtpReceiver } {
  const live = {} as { app: FastifyInstance; smtp: SmtpReceiver };
  beforeAll(async () => {
    live.app = await testApp(store().deps);
    live.smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await live.smtp?.stop();
    await live.app?.close();
  });
  return live;
}

export interface RawSmtp {
  /** The next complete reply (multi-line replies joined), e.g. "250 2.0.0 Stored as …". */
  reply(): Promise<string>;
  write(data: string | Buffer): void;
  command(line: string): Promise<string>;
  closed: Promise<void>;
  close(): void;
}

export async function rawSmtp(port: number): Promise<RawSmtp> {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  const replies: string[] = [];
  const waiters: Array<(r: string) => void> = [];
  let current: string[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    let i;
    while ((i = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      current.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const r = current.join('\n');
        current = [];
        const w = waiters.shift();
        if (w) w(r);
        else replies.push(r);
      }
    }
  });
  socket.on('close', () => {
    for (const w of waiters.splice(0)) w('(closed)');
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const reply = () =>
    new Promise<string>((resolve) => {
      const r = replies.shift();
      if (r !== undefined) return resolve(r);
      if (socket.destroyed) return resolve('(closed)');
      waiters.push(resolve);
    });
  const write = (data: string | Buffer) => socket.write(data);
  return {
    reply,
    write,
    command: async (line) => {
      write(`${line}\r\n`);
      return reply();
    },
    closed,
    close: () => socket.destroy(),
  };
}

/** One SMTP transaction with raw sockets; returns every reply, the last being DATA's answer. */
export async function sendRaw(port: number, opts: { from: string; to: string[]; data: Buffer | string }): Promise<{ replies: string[]; final: string }> {
  const c = await rawSmtp(port);
  const replies: string[] = [await c.reply()];
  replies.push(await c.command('EHLO client.test'));
  replies.push(await c.command(`MAIL FROM:<${opts.from}>`));
  let accepted = 0;
  for (const to of opts.to) {
    const r = await c.command(`RCPT TO:<${to}>`);
    replies.push(r);
    if (r.startsWith('250')) accepted++;
  }
  if (accepted === 0) {
    c.close();
    return { replies, final: replies[replies.length - 1]! };
  }
  const d = await c.command('DATA');
  replies.push(d);
  let body = Buffer.isBuffer(opts.data) ? opts.data : Buffer.from(opts.data, 'utf8');
  // Dot-stuffing (RFC 5321 §4.5.2) and a CRLF before the terminator.
  let text = body.toString('latin1').replace(/(^|\r\n)\./g, '$1..');
  if (!text.endsWith('\r\n')) text += '\r\n';
  body = Buffer.from(text, 'latin1');
  c.write(body);
  c.write('.\r\n');
  const final = await c.reply();
  replies.push(final);
  await c.command('QUIT').catch(() => '');
  c.close();
  return { replies, final };
}

/** Normalises bare LF to CRLF, as a mail client would put a file on the wire. */
export function crlf(text: string | Buffer): Buffer {
  const s = Buffer.isBuffer(text) ? text.toString('latin1') : Buffer.from(text, 'utf8').toString('latin1');
  return Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
}
