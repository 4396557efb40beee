// A private Dovecot (Debian's dovecot-imapd) per test file: its own config in a temp dir, plain
// IMAP on 127.0.0.1 and a free port, users in a passwd-file. Tests deliver mail into it with IMAP
// APPEND and can stop and restart it to play an unreachable server. Dovecot's login processes
// refuse to run as root, hence the dovenull/dovecot users and the chown of the mail homes.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

const DOVECOT = '/usr/sbin/dovecot';

/** Poller timings for tests: recovery happens within a test; the resync is long so IDLE must do the work. */
export const FAST_POLLER = { reconcileMs: 300, autoIdleDelayMs: 100, resyncMs: 10 * 60_000, timeoutMs: 1_000, backoffBaseMs: 100, backoffMaxMs: 800 };

export interface DovecotUser {
  user: string;
  password: string;
}

export interface Dovecot {
  host: string;
  port: number;
  /** Adds a user; resolves once Dovecot accepts the login (it re-reads the passwd-file at most once a second). */
  addUser(user: string, password: string): Promise<void>;
  /** Changes a user's password; resolves once Dovecot accepts the new one. */
  setPassword(user: string, password: string): Promise<void>;
  /** IMAP APPEND of a raw message into the user's INBOX (received at `at`, default now); resolves with its UID. */
  append(user: DovecotUser, raw: string | Buffer, at?: Date): Promise<number>;
  /** Number of messages in the user's INBOX (to check mail waits on the server). */
  count(user: DovecotUser): Promise<number>;
  stop(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function ids(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
  return { uid, gid };
}

async function waitForPort(port: number, up: boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`Dovecot port ${port} did not become ${up ? 'open' : 'closed'} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process below `pid` (from /proc), so a stop can end the children it started. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

export async function startDovecot(users: DovecotUser[] = []): Promise<Dovecot> {
  const version = execFileSync(DOVECOT, ['--version']).toString().trim();
  const major = Number(version.split('.')[0]);
  const minor = Number(version.split('.')[1]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dovecot-'));
  fs.chmodSync(root, 0o755);
  const home = path.join(root, 'home');
  fs.mkdirSync(home, { mode: 0o755 });
  const dovecotIds = ids('dovecot');
  fs.chownSync(home, dovecotIds.uid, dovecotIds.gid);
  const passwdFile = path.join(root, 'passwd');
  const logFile = path.join(root, 'dovecot.log');
  const port = await freePort();

  const lines: string[] = [];
  // Dovecot notices a changed passwd-file by its mtime, in whole seconds (and its size): two
  // writes within one second with a same-length password looked unchanged, and the new password
  // never took. Each write therefore gets an mtime at least a second past the previous one.
  let lastMtime = 0;
  const writeUsers = () => {
    fs.writeFileSync(passwdFile, lines.join('\n') + '\n', { mode: 0o644 });
    lastMtime = Math.max(Math.floor(Date.now() / 1000), lastMtime + 1);
    fs.utimesSync(passwdFile, lastMtime, lastMtime);
  };
  // Dovecot's passwd-file driver checks the file for changes at most once a second, so a change
  // counts as made only when a login with the new password works.
  const effective = async (user: string, password: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.logout().catch(() => client.close());
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const addUser = async (user: string, password: string) => {
    lines.push(`${user}:{PLAIN}${password}::::::`);
    writeUsers();
    if (child) await effective(user, password);
  };
  const setPassword = async (user: string, password: string) => {
    const i = lines.findIndex((l) => l.startsWith(`${user}:`));
    if (i < 0) throw new Error(`no Dovecot user ${user}`);
    lines[i] = `${user}:{PLAIN}${password}::::::`;
    writeUsers();
    if (child) await effective(user, password);
  };
  for (const u of users) {
    lines.push(`${u.user}:{PLAIN}${u.password}::::::`);
  }
  writeUsers();

  // 2.3 spells the cleartext switch disable_plaintext_auth; 2.4 renamed it auth_allow_cleartext.
  const cleartext = major > 2 || (major === 2 && minor >= 4) ? 'auth_allow_cleartext = yes' : 'disable_plaintext_auth = no';
  const conf = `
protocols = imap
listen = 127.0.0.1
base_dir = ${root}/run
state_dir = ${root}/state
instance_name = parley-test-${path.basename(root)}
log_path = ${logFile}
ssl = no
${cleartext}
auth_mechanisms = plain login
# Tests log in with wrong passwords on purpose: no 2 s failure delay and no growing per-IP
# penalty (anvil skips it for trusted networks), so each test stays quick.
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdFile}
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${home}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  const confFile = path.join(root, 'dovecot.conf');
  fs.writeFileSync(confFile, conf);
  fs.mkdirSync(path.join(root, 'state'), { mode: 0o755 });

  let child: ChildProcess | null = null;
  const start = async () => {
    if (child) return;
    const proc = spawn(DOVECOT, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = proc;
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`Dovecot exited (${code}): ${stderr}${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : ''}`))),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(port, true), exited]);
  };
  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = null;
    // Dovecot's imap processes can outlive the master's shutdown and keep their client
    // connections open; a stopped server here means every connection drops, so end them too.
    const descendants = proc.pid ? descendantsOf(proc.pid) : [];
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await gone;
    for (const pid of descendants) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await waitForPort(port, false);
  };
  const withClient = async <T>(u: DovecotUser, fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const client = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: u.user, pass: u.password }, logger: false });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  await start();
  return {
    host: '127.0.0.1',
    port,
    addUser,
    setPassword,
    append: async (u, raw, at) => {
      // Test set-up, not behaviour under test: a loaded machine has made Dovecot answer NO to an
      // APPEND now and then, so try again on a fresh connection and say what it answered.
      for (let attempt = 1; ; attempt++) {
        try {
          return await withClient(u, async (c) => {
            const res = await c.append('INBOX', raw, [], at);
            if (!res || !res.uid) throw new Error('APPEND returned no UID');
            return res.uid;
          });
        } catch (err) {
          const said = (err as { responseText?: string }).responseText;
          if (attempt >= 3) throw new Error(`APPEND for ${u.user} failed ${attempt} times: ${said ?? String(err)}`);
          await new Promise((r) => setTimeout(r, 300 * attempt));
        }
      }
    },
    count: (u) => withClient(u, async (c) => (await c.status('INBOX', { messages: true })).messages ?? 0),
    start,
    stop,
    running: () => child !== null,
    dispose: async () => {
      await stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A small RFC 5322 message for tests. */
export function rawMessage(opts: { from: string; to: string; subject: string; body: string; messageId?: string }): string {
  const id = opts.messageId ?? `<${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@sender.test>`;
  return [
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    `Subject: ${opts.subject}`,
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body,
    '',
  ].join('\r\n');
}
