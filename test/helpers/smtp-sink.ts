// A local SMTP sink for outbound-mail tests: smtp-server on 127.0.0.1, port 0, that keeps every
// accepted message's raw bytes and envelope. It can answer DATA with scripted replies (e.g. 451
// then 250, or 550), hold the DATA reply until released (to kill a sender mid-transaction), and
// require a login (to play a team mailbox's SMTP server).
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import PostalMime, { type Email } from 'postal-mime';
import type { AddressInfo } from 'node:net';

export interface Caught {
  raw: Buffer;
  mailFrom: string;
  rcptTo: string[];
}

export interface SinkOptions {
  /** Replies for successive DATA commands: a number is an SMTP code (250 accepts); the rest accept. */
  script?: number[];
  /** Required login; others get 535. */
  auth?: { user: string; pass: string };
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: Caught[];
  /** DATA commands seen, accepted or not. */
  attempts: number;
  /** From now on, hold each DATA reply until `release()`; `onHeld` fires when one is held. */
  hold(onHeld?: () => void): void;
  /** Answers the held DATA with 250 (the message counts as accepted, as an MTA that queued it would). */
  release(): void;
  /** Drops the held DATA without accepting it (as an MTA does when the client vanishes before the reply). */
  discardHeld(): void;
  setScript(codes: number[]): void;
  waitFor(count: number, timeoutMs?: number): Promise<Caught[]>;
  close(): Promise<void>;
}

const TEXT: Record<number, string> = {
  421: '4.3.2 Service shutting down',
  451: '4.3.0 Try again later',
  452: '4.2.2 Mailbox full',
  503: '5.5.1 Bad sequence of commands',
  550: '5.1.1 Mailbox unavailable: no such user here',
  552: '5.3.4 Message too big',
  554: '5.7.1 Rejected by policy',
};

export async function startSmtpSink(opts: SinkOptions = {}): Promise<SmtpSink> {
  const messages: Caught[] = [];
  let script = [...(opts.script ?? [])];
  let holding: { onHeld?: () => void } | null = null;
  let held: (() => void) | null = null;
  let attempts = 0;
  const waiters: Array<() => void> = [];

  const options: SMTPServerOptions = {
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    size: 50 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      const err = Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 });
      cb(err);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        attempts++;
        const code = script.shift() ?? 250;
        const accept = () => {
          messages.push({ raw: Buffer.concat(chunks), mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address) });
          for (const w of waiters.splice(0)) w();
          cb(null, '2.0.0 Ok: queued');
        };
        if (code !== 250) return cb(Object.assign(new Error(TEXT[code] ?? `${code} scripted failure`), { responseCode: code }));
        if (holding) {
          held = accept;
          holding.onHeld?.();
          return;
        }
        accept();
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;

  const sink: SmtpSink = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get attempts() {
      return attempts;
    },
    hold(onHeld) {
      holding = { onHeld };
    },
    release() {
      holding = null;
      const h = held;
      held = null;
      h?.();
    },
    discardHeld() {
      holding = null;
      held = null;
    },
    setScript(codes) {
      script = [...codes];
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`SMTP sink: expected ${count} messages, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

/** The caught message parsed (postal-mime), plus its raw header block for exact header checks. */
export async function parseCaught(c: Caught): Promise<Email & { headerBlock: string }> {
  const email = await PostalMime.parse(c.raw);
  const text = c.raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return Object.assign(email, { headerBlock: end >= 0 ? text.slice(0, end) : text });
}

/** One header's unfolded value(s) from the raw header block (RFC 5322 §2.2.3). */
export function rawHeader(headerBlock: string, name: string): string[] {
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded
    .split(/\r?\n/)
    .filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((l) => l.slice(name.length + 1).trim());
}
