// Email in (issue 3) speed: SMTP ingest throughput and p99 acknowledgement latency for 2 KB, 75 KB
// and 1.5 MB messages over 8 and 20 concurrent connections, for Parley on SQLite and on
// PostgreSQL, side by side with three baselines in the same run: a raw smtp-server sink that
// parses and stores nothing (the upper bound), the same sink made durable and nothing more (each
// message appended to a file and fdatasynced before its 250, with group commit: the ceiling for
// any durable receiver on smtp-server), and Postfix from Debian accepting into its (held) queue,
// the durable-accept reference of the mail world. Throughput is measured twice: with Postfix's
// smtp-source driving every target alike (its figure includes its start and smtp-server's 100 ms
// greeting pause, ~0.15 s per burst, which flatters the slower targets' ratio to the sink), and
// with a small Node client that starts its clock once every connection is greeted and also times
// each acknowledgement (from the final "." to the 250), and the CPU time the target spent per
// message of that burst (with PostgreSQL's server processes for Parley on PostgreSQL). Also:
// Parley's event-loop delay p99 during each burst (the lag every API request would see), RSS over
// a long run, and four concurrent 25 MB messages.
//
// Needs Postfix (for smtp-source and the baseline). One-time install on Debian:
//   echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
//   DEBIAN_FRONTEND=noninteractive apt-get install -y postfix
// Run: npx tsx bench/ingest-smtp.ts [--quick] [--long N] [--long-seconds S] [--memory-only] [--sizes 2KB,75KB]
//   (not part of npm test). Parley answers 250 once a message is in its durable spool; the
//   "processed" columns time the burst until the spool is empty (the last message is in the
//   inbox), so accept speed never hides a processing backlog.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, ROOT, startParleyServer, stopChild, waitForPort, type StoreKind } from './parley-server.ts';

const USAGE = `Usage: npx tsx bench/ingest-smtp.ts [--quick] [--long N] [--long-seconds S] [--memory-only] [--sizes 2KB,75KB,1.5MB]
  --quick          fewer messages per cell (400 × 2 KB, 100 × 75 KB, 16 × 1.5 MB; the long run 2,000)
  --long N         messages in the memory run (default 20,000; 2,000 with --quick)
  --long-seconds S stop the memory run after S seconds (default 1,200)
  --memory-only    skip the throughput matrix: only the memory run and four 25 MB messages
  --sizes LIST     only these message sizes
  --targets LIST   only these targets: sink,durable,postfix,sqlite,postgres (the memory run needs sqlite)
  --rounds N       measure every cell N times, the targets' order turning each round, and add a table
                   of each target's rate as a share of the baselines: the median of the N rounds'
                   ratios (each taken within one round), with their range`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const QUICK = process.argv.includes('--quick');
/** Skip the throughput matrix: only the long run's RSS and the four 25 MB messages. */
const MEMORY_ONLY = process.argv.includes('--memory-only');
const longIdx = process.argv.indexOf('--long');
const LONG_MESSAGES = longIdx > 0 ? Number(process.argv[longIdx + 1]) : QUICK ? 2_000 : 20_000;
/** The long run stops after this long even if not all messages were sent (it says how many were). */
const longSecIdx = process.argv.indexOf('--long-seconds');
const LONG_SECONDS = longSecIdx > 0 ? Number(process.argv[longSecIdx + 1]) : 1_200;
const sizesIdx = process.argv.indexOf('--sizes');
const ONLY_SIZES = sizesIdx > 0 ? process.argv[sizesIdx + 1]!.toUpperCase().split(',') : null;
const targetsIdx = process.argv.indexOf('--targets');
const ONLY_TARGETS = targetsIdx > 0 ? process.argv[targetsIdx + 1]!.toLowerCase().split(',') : null;
const wanted = (name: string) => !ONLY_TARGETS || ONLY_TARGETS.includes(name);
const roundsIdx = process.argv.indexOf('--rounds');
const ROUNDS = roundsIdx > 0 ? Math.max(1, Number(process.argv[roundsIdx + 1])) : 1;

const SIZES = [
  { label: '2 KB', bytes: 2 * 1024, count: QUICK ? 400 : 3_000 },
  { label: '75 KB', bytes: 75 * 1024, count: QUICK ? 100 : 600 },
  { label: '1.5 MB', bytes: 1.5 * 1024 * 1024, count: QUICK ? 16 : 60 },
].filter((s) => !ONLY_SIZES || ONLY_SIZES.includes(s.label.replace(/\s/g, '').toUpperCase()));
const CONCURRENCY = [8, 20];
/** Messages each target takes through each client before the matrix. */
const WARM_UP = QUICK ? 200 : 1_000;

// ---------------------------------------------------------------------------------------------
// Processes and ports

/**
 * CPU ticks (user + system, 10 ms each) used so far by a target: its process and every descendant
 * (the sinks run under tsx's launcher), and for Parley on PostgreSQL the database server's
 * processes too, since receiving there is partly the server's work. Postfix's daemons are not our
 * children: not measured. With the processes counted, since a process that exits in between takes
 * its ticks with it (an idle pooled PostgreSQL connection closes after 10 s): see cpuBetween.
 */
function cpuTicksOf(t: Target): { ticks: number; pids: Set<string> } | null {
  if (!t.pid) return null;
  const procs = new Map<string, { parent: string; comm: string; ticks: number }>();
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(p, { parent: fields[1]!, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (p: string): boolean => {
    for (let cur: string | undefined = p; cur && cur !== '0'; cur = procs.get(cur)?.parent) if (cur === String(t.pid)) return true;
    return false;
  };
  let ticks = 0;
  const pids = new Set<string>();
  for (const [p, proc] of procs)
    if (inTree(p) || (t.usesPostgres && proc.comm === 'postgres')) {
      ticks += proc.ticks;
      pids.add(p);
    }
  return { ticks, pids };
}

/** Ticks used between two readings, or null when a process counted in the first had exited by the second. */
function cpuBetween(before: ReturnType<typeof cpuTicksOf>, after: ReturnType<typeof cpuTicksOf>): number | null {
  if (!before || !after || [...before.pids].some((p) => !after.pids.has(p))) return null;
  return after.ticks - before.ticks;
}

function rssOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  } catch {
    return 0;
  }
}

const RAW_SINK = 'raw smtp-server sink';
const DURABLE_SINK = 'durable sink (append + fdatasync)';
const POSTFIX = 'Postfix (hold queue)';
/** What the share table divides by. */
const BASELINES = [RAW_SINK, DURABLE_SINK, POSTFIX];

interface Target {
  name: string;
  port: number;
  rcpt: string;
  pid?: number;
  eldFile?: string;
  /** Parley only: 1 while its inbound spool holds a message accepted but not yet processed, else 0. */
  spooled?: () => Promise<number>;
  /** Count the PostgreSQL server's CPU as this target's. */
  usesPostgres?: boolean;
  stop(): Promise<void>;
}

async function startSink(): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bench/ingest-sink.ts', String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPort(port);
  return { name: RAW_SINK, port, rcpt: 'bench@sink.test', pid: child.pid, stop: () => stopChild(child) };
}

async function startDurableSink(): Promise<Target> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-durable-sink-'));
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bench/ingest-durable-sink.ts', String(port), path.join(dir, 'log')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForPort(port);
  return {
    name: DURABLE_SINK,
    port,
    rcpt: 'bench@sink.test',
    pid: child.pid,
    stop: async () => {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startPostfix(): Promise<Target> {
  if (!fs.existsSync('/usr/sbin/postfix')) throw new Error('Postfix is not installed (see the header of this file)');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-postfix-'));
  fs.chmodSync(dir, 0o755);
  const queue = path.join(dir, 'queue');
  const data = path.join(dir, 'data');
  fs.mkdirSync(queue);
  fs.mkdirSync(data);
  spawnSync('chown', ['postfix', data]);
  fs.writeFileSync(
    path.join(dir, 'main.cf'),
    `compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${data}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.localhost
mydestination =
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, reject
# Accepted mail stays in the hold queue: we measure the durable accept, not delivery.
smtpd_recipient_restrictions = check_recipient_access static:HOLD
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
message_size_limit = 67108864
default_process_limit = 200
`,
  );
  fs.writeFileSync(
    path.join(dir, 'master.cf'),
    `127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`,
  );
  const run = (...args: string[]) => {
    const r = spawnSync('/usr/sbin/postfix', ['-c', dir, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`postfix ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  };
  run('check');
  run('start');
  await waitForPort(port);
  return {
    name: POSTFIX,
    port,
    rcpt: 'bench@relay.test',
    stop: async () => {
      spawnSync('/usr/sbin/postfix', ['-c', dir, 'stop']);
      await new Promise((r) => setTimeout(r, 1000));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** 1 while the spool holds a message, else 0: polled every 20 ms while draining, so it must not
 * read the whole spool (a count(*) did, and its cost showed in the processing figures). */
const ANY_SPOOLED = 'select count(*) as n from (select 1 from inbound_queue limit 1) as q';

async function startParley(kind: StoreKind): Promise<Target> {
  const eldDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-eld-'));
  const eldFile = path.join(eldDir, 'eld.json');
  const server = await startParleyServer(kind, {
    roles: 'web,smtp',
    env: { SMTP_MAX_MESSAGE_BYTES: String(30 * 1024 * 1024), ELD_FILE: eldFile },
    nodeArgs: ['--import', pathToUrl(path.join(ROOT, 'bench/ingest-eld-preload.mjs'))],
  });
  return {
    name: server.name,
    port: server.smtpPort,
    rcpt: server.account.fallbackEmail,
    pid: server.child.pid,
    eldFile,
    spooled: async () => Number((await server.queryOne<{ n: number | string }>(ANY_SPOOLED))?.n ?? 0),
    usesPostgres: kind === 'postgres',
    stop: async () => {
      await server.stop();
      fs.rmSync(eldDir, { recursive: true, force: true });
    },
  };
}

function pathToUrl(p: string): string {
  return new URL(`file://${p}`).href;
}

interface EldWindow {
  seq: number;
  p50: number;
  p99: number;
  max: number;
  rss: number;
  peakRss: number;
}

/** Ends the target's current event-loop window and returns its figures. */
async function eldWindow(t: Target): Promise<EldWindow | null> {
  if (!t.pid || !t.eldFile) return null;
  const before = fs.existsSync(t.eldFile) ? (JSON.parse(fs.readFileSync(t.eldFile, 'utf8')) as EldWindow).seq : 0;
  process.kill(t.pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    if (!fs.existsSync(t.eldFile)) continue;
    const w = JSON.parse(fs.readFileSync(t.eldFile, 'utf8')) as EldWindow;
    if (w.seq > before) return w;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Clients

function runSmtpSource(t: Target, sessions: number, count: number, bytes: number): number {
  const started = process.hrtime.bigint();
  // -d: several messages per connection; -l: payload bytes (headers come on top, ~200 bytes).
  const r = spawnSync('/usr/sbin/smtp-source', ['-d', '-s', String(sessions), '-m', String(count), '-l', String(bytes), '-f', 'sender@bench-client.test', '-t', t.rcpt, `127.0.0.1:${t.port}`], {
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`smtp-source against ${t.name} failed: ${r.stderr}`);
  return (count / ms) * 1000;
}

const LINE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmn\r\n'; // 78 bytes

function bodyOf(bytes: number): Buffer {
  return Buffer.from(LINE.repeat(Math.max(1, Math.ceil(bytes / LINE.length))).slice(0, bytes).replace(/\r?$/, '') + '\r\n');
}

function messageFor(i: number, rcpt: string, body: Buffer): Buffer {
  const head =
    `From: Bench Customer <customer${i % 97}@bench-client.test>\r\nTo: <${rcpt}>\r\nSubject: Bench message ${i}\r\n` +
    `Message-ID: <${crypto.randomBytes(8).toString('hex')}.${i}@bench-client.test>\r\nDate: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

class SmtpConn {
  private buf = '';
  private waiting: ((line: { code: number; text: string }) => void) | null = null;
  private replies: Array<{ code: number; text: string }> = [];
  private fail: ((err: Error) => void) | null = null;
  constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('close', () => this.fail?.(new Error('connection closed')));
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      let idx: number;
      while ((idx = this.buf.indexOf('\r\n')) >= 0) {
        const line = this.buf.slice(0, idx);
        this.buf = this.buf.slice(idx + 2);
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
          const reply = { code: Number(line.slice(0, 3)), text: line };
          const w = this.waiting;
          if (w) {
            this.waiting = null;
            w(reply);
          } else this.replies.push(reply);
        }
      }
    });
  }
  static open(port: number): Promise<SmtpConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new SmtpConn(s)));
      s.once('error', reject);
    });
  }
  reply(): Promise<{ code: number; text: string }> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.fail = reject;
    });
  }
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => (this.sock.write(data) ? resolve() : this.sock.once('drain', () => resolve())));
  }
  end(): void {
    this.sock.end();
  }
}

/** Waits until the target's spool is empty; ms waited. */
async function drain(t: Target, timeoutMs = 600_000): Promise<number> {
  const started = Date.now();
  if (!t.spooled) return 0;
  while ((await t.spooled()) > 0) {
    if (Date.now() - started > timeoutMs) throw new Error(`${t.name}: spool not drained after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

interface ClientResult {
  /** Wall time of the burst, first MAIL FROM (every connection greeted) to last acknowledgement. */
  ms: number;
  rate: number;
  p50: number;
  p99: number;
  failures: number;
}

async function runNodeClient(t: Target, conns: number, count: number, bytes: number): Promise<ClientResult> {
  const body = bodyOf(bytes);
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  // The clock starts once every connection has its greeting and EHLO answer: smtp-server holds
  // each new connection's greeting 100 ms (to catch clients that talk too soon), a fixed cost per
  // burst that would flatter whichever target is slowest per message.
  const conn = await Promise.all(
    Array.from({ length: conns }, async () => {
      const c = await SmtpConn.open(t.port);
      await c.reply();
      await c.write('EHLO bench-client.test\r\n');
      await c.reply();
      return c;
    }),
  );
  const started = process.hrtime.bigint();
  await Promise.all(
    conn.map(async (c) => {
      for (;;) {
        const i = next++;
        if (i >= count) break;
        const msg = messageFor(i, t.rcpt, body);
        await c.write('MAIL FROM:<sender@bench-client.test>\r\n');
        await c.reply();
        await c.write(`RCPT TO:<${t.rcpt}>\r\n`);
        const rcpt = await c.reply();
        if (rcpt.code !== 250) throw new Error(`${t.name} refused RCPT: ${rcpt.text}`);
        await c.write('DATA\r\n');
        await c.reply();
        await c.write(msg);
        await c.write('.\r\n');
        const t0 = process.hrtime.bigint();
        const ack = await c.reply();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (ack.code !== 250) failures++;
      }
      await c.write('QUIT\r\n');
      c.end();
    }),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { ms, rate: (count / ms) * 1000, p50: pct(50), p99: pct(99), failures };
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, d = 0) => n.toFixed(d);
/** Rates below 10/s keep a decimal, so a slow target does not read as 0. */
const rate = (n: number) => n.toFixed(n < 10 ? 1 : 0);

interface Rate {
  size: string;
  conns: number;
  round: number;
  target: string;
  source: number;
  node: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Each target's rate as a share of each baseline that ran: per round (both rates from the same
 * round, seconds apart), then the median and range over the rounds, per client. This VM's rates
 * drift by tens of percent within minutes, so one round's ratio says little on its own.
 */
function shareTable(rates: Rate[]): string[] {
  const baselines = [...new Set(rates.map((r) => r.target))].filter((n) => BASELINES.includes(n));
  const out = ['| size | conns | target | baseline | smtp-source: median share (range) | node client: median share (range) | rounds |', '| --- | --- | --- | --- | --- | --- | --- |'];
  const cells = [...new Set(rates.map((r) => `${r.size}|${r.conns}`))];
  for (const cell of cells) {
    const inCell = rates.filter((r) => `${r.size}|${r.conns}` === cell);
    for (const target of [...new Set(inCell.map((r) => r.target))]) {
      // A baseline is only compared with the raw sink (the durable floor's share of it); Parley with every baseline.
      const over = BASELINES.includes(target) ? baselines.filter((b) => b === RAW_SINK && b !== target) : baselines;
      for (const base of over) {
        const pairs = [...new Set(inCell.map((r) => r.round))].flatMap((round) => {
          const t = inCell.find((r) => r.round === round && r.target === target);
          const b = inCell.find((r) => r.round === round && r.target === base);
          return t && b ? [{ source: t.source / b.source, node: t.node / b.node }] : [];
        });
        if (!pairs.length) continue;
        const show = (xs: number[]) => `${fmt(median(xs) * 100)}% (${fmt(Math.min(...xs) * 100)}–${fmt(Math.max(...xs) * 100)}%)`;
        const [size, conns] = cell.split('|');
        out.push(`| ${size} | ${conns} | ${target} | ${base} | ${show(pairs.map((p) => p.source))} | ${show(pairs.map((p) => p.node))} | ${pairs.length} |`);
      }
    }
  }
  return out;
}

/** Memory over a long run: RSS after each tenth of the messages, and that tenth's accept rate (past the first seconds, processing runs beside the receiver). */
async function longRun(parley: Target): Promise<void> {
  const samples: string[] = [];
  const step = Math.max(1, Math.floor(LONG_MESSAGES / 10));
  let sent = 0;
  const longStart = Date.now();
  while (sent < LONG_MESSAGES && Date.now() - longStart < LONG_SECONDS * 1000) {
    const n = Math.min(step, LONG_MESSAGES - sent);
    const tenth = await runNodeClient(parley, 8, n, 2 * 1024);
    sent += n;
    samples.push(`${sent}: ${fmt(rssOf(parley.pid!) / 2 ** 20)} MB (${fmt(tenth.rate)} msg/s)`);
  }
  const sendingMs = Date.now() - longStart;
  const longLag = await drain(parley);
  samples.push(`drained (+${fmt(longLag / 1000)} s): ${fmt(rssOf(parley.pid!) / 2 ** 20)} MB`);
  const cut = sent < LONG_MESSAGES ? ` (stopped at the ${LONG_SECONDS} s limit)` : '';
  console.log(`\nRSS over ${sent} of ${LONG_MESSAGES} × 2 KB messages${cut} (8 connections, sent in ${fmt(sendingMs / 1000)} s): ${samples.join(', ')}`);
}

async function main(): Promise<void> {
  console.log(`Email in: SMTP ingest (${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node})${QUICK ? ' [quick]' : ''}; warm-up ${WARM_UP} × 2 KB per client and target`);
  // Build the server bundle once so the first start is not timed with it.
  spawnSync(process.execPath, ['bin/parley.js', '--help'], { cwd: ROOT, stdio: 'ignore' });
  const targets: Target[] = [];
  try {
    if (!MEMORY_ONLY) {
      if (wanted('sink')) targets.push(await startSink());
      if (wanted('durable')) targets.push(await startDurableSink());
      if (wanted('postfix')) targets.push(await startPostfix());
    }
    if (wanted('sqlite')) targets.push(await startParley('sqlite'));
    if (!MEMORY_ONLY && wanted('postgres')) targets.push(await startParley('postgres'));
    // Every target first takes the same warm-up through both clients, so no cell measures a cold
    // start (JIT, first connections, lazily started threads, Postfix's first smtpd) and the first
    // cell is not the only one that pays for it.
    for (const t of targets) {
      runSmtpSource(t, 8, WARM_UP, 2 * 1024);
      await runNodeClient(t, 8, WARM_UP, 2 * 1024);
      await drain(t);
    }
    const rows: string[] = [];
    rows.push('| size | conns | target | smtp-source msg/s | node client msg/s | ack p50 ms | ack p99 ms | CPU ms/msg | event-loop p99 ms | processed msg/s | last in inbox after burst ms | failures |');
    rows.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const rates: Rate[] = [];
    for (const size of MEMORY_ONLY ? [] : SIZES) {
      for (const conns of CONCURRENCY) {
        for (let round = 0; round < ROUNDS; round++) {
          // Each round starts with the next target, so no target always runs first or last.
          const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
          for (const t of order) {
            const viaSource = runSmtpSource(t, conns, size.count, size.bytes);
            await drain(t); // the smtp-source burst's backlog is not the node client's
            await eldWindow(t); // start a fresh window for the node-client burst (and its processing)
            const cpuBefore = cpuTicksOf(t);
            const viaNode = await runNodeClient(t, conns, size.count, size.bytes);
            const cpuAfter = cpuTicksOf(t);
            const cpuUsed = cpuBetween(cpuBefore, cpuAfter);
            const cpuPerMessage = cpuUsed === null ? '–' : fmt((cpuUsed * 10) / size.count, 2);
            const lag = await drain(t);
            const eld = await eldWindow(t);
            const processed = t.spooled ? `${rate((size.count / (viaNode.ms + lag)) * 1000)} | ${lag}` : '– | –';
            const row = `| ${size.label} | ${conns} | ${t.name} | ${rate(viaSource)} | ${rate(viaNode.rate)} | ${fmt(viaNode.p50, 1)} | ${fmt(viaNode.p99, 1)} | ${cpuPerMessage} | ${eld ? fmt(eld.p99, 1) : '–'} | ${processed} | ${viaNode.failures} |`;
            rows.push(row);
            console.log(ROUNDS > 1 ? `${row} round ${round + 1}` : row);
            rates.push({ size: size.label, conns, round, target: t.name, source: viaSource, node: viaNode.rate });
          }
        }
      }
    }
    if (!MEMORY_ONLY) console.log('\n' + rows.join('\n'));
    if (ROUNDS > 1) console.log('\n' + shareTable(rates).join('\n'));

    // Memory, on SQLite: a long run, then four 25 MB messages at once.
    const parley = targets.find((t) => t.name === 'Parley on SQLite');
    if (!parley) return;
    if (LONG_MESSAGES > 0) await longRun(parley);

    // Four concurrent 25 MB messages.
    await eldWindow(parley);
    const big = await runNodeClient(parley, 4, 4, 25 * 1024 * 1024);
    const bigLag = await drain(parley);
    const w = await eldWindow(parley);
    console.log(`Four concurrent 25 MB messages: all acknowledged: ${big.failures === 0}, slowest ack ${fmt(big.p99)} ms, all four in the inbox ${fmt(bigLag)} ms after the last ack, peak RSS ${w ? fmt(w.peakRss / 2 ** 20) : '?'} MB`);
  } finally {
    for (const t of targets.reverse()) await t.stop().catch((err) => console.error(`stopping ${t.name}:`, err));
  }
}

await main();
