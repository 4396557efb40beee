// Email in (issue 3) over IMAP: how fast a connected team mailbox catches up on mail that arrived
// while its channel was off (or Parley down), for Parley on SQLite and on PostgreSQL, against the
// upper bound in the same run: the same fetches from the same Dovecot with nothing stored
// (imapflow, one UID FETCH of the whole message at a time, as the poller does). Two figures per
// store: "fetched" (the UID watermark reached the last message: every message durably in the
// spool) and "in the inbox" (every message is a conversation).
// Needs dovecot-imapd (Debian). Run: npx tsx bench/ingest-imap.ts [--messages N] [--targets sqlite,postgres]
import crypto from 'node:crypto';
import os from 'node:os';
import { ImapFlow } from 'imapflow';
import { rawMessage, startDovecot, type Dovecot, type DovecotUser } from '../test/helpers/dovecot.ts';
import { waitFor } from '../test/helpers/wait.ts';
import { startParleyServer, type ParleyServer, type StoreKind } from './parley-server.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MESSAGES = Number(arg('--messages') ?? 2_000);
const TARGETS = (arg('--targets') ?? 'sqlite,postgres').split(',') as StoreKind[];
/** How often the bench looks at the database while timing (its resolution). */
const POLL_MS = 20;
const BODY = 'All work and no play makes a long message of about two kilobytes. '.repeat(30);

function imapClient(dovecot: Dovecot, user: DovecotUser): ImapFlow {
  return new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: user.user, pass: user.password }, logger: false });
}

async function newMailbox(dovecot: Dovecot): Promise<DovecotUser> {
  const user = { user: `bench-${crypto.randomBytes(4).toString('hex')}@example.com`, password: crypto.randomBytes(8).toString('hex') };
  await dovecot.addUser(user.user, user.password);
  return user;
}

/** APPENDs `count` distinct 2 KB messages over one connection; resolves with the highest UID. */
async function fill(dovecot: Dovecot, user: DovecotUser, count: number): Promise<number> {
  const client = imapClient(dovecot, user);
  await client.connect();
  let last = 0;
  try {
    for (let i = 0; i < count; i++) {
      const res = await client.append('INBOX', rawMessage({ from: `customer${i}@customer.test`, to: user.user, subject: `Catch-up ${i}`, body: BODY }));
      if (res && typeof res === 'object' && res.uid) last = res.uid;
    }
  } finally {
    await client.logout();
  }
  return last;
}

/** The upper bound: every message fetched one UID at a time, nothing stored. */
async function rawFetch(dovecot: Dovecot): Promise<number> {
  const user = await newMailbox(dovecot);
  await fill(dovecot, user, MESSAGES);
  const client = imapClient(dovecot, user);
  await client.connect();
  await client.mailboxOpen('INBOX');
  const started = performance.now();
  const uids = (await client.search({ uid: '1:*' }, { uid: true })) || [];
  let bytes = 0;
  for (const uid of uids) {
    const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    bytes += msg && msg.source ? msg.source.length : 0;
  }
  const seconds = (performance.now() - started) / 1000;
  await client.logout();
  if (uids.length !== MESSAGES || bytes === 0) throw new Error(`raw fetch saw ${uids.length} messages`);
  return MESSAGES / seconds;
}

/** What the bench reads of the channel API's answers. */
interface ChannelBody {
  id: string;
  email: { lastFetchedAt: string | null } | null;
}

async function api(server: ParleyServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: ChannelBody }> {
  const res = await fetch(`http://127.0.0.1:${server.httpPort}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.account.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as ChannelBody };
}

async function catchUp(dovecot: Dovecot, kind: StoreKind): Promise<{ fetched: number; inbox: number }> {
  const server = await startParleyServer(kind, { roles: 'web,imap', env: { ALLOW_PRIVATE_MAIL_HOSTS: 'true' } });
  try {
    const user = await newMailbox(dovecot);
    const created = await api(server, 'POST', `/inboxes/${server.account.inbox.id}/channels`, {
      type: 'email',
      teamAddress: user.user,
      imap: { host: dovecot.host, port: dovecot.port, tls: false, user: user.user, password: user.password },
    });
    if (created.status !== 201) throw new Error(`connecting the mailbox failed: ${JSON.stringify(created.body)}`);
    const channelId: string = created.body.id;
    await waitFor('the first sync', async () => (await api(server, 'GET', `/channels/${channelId}`)).body.email?.lastFetchedAt, 60_000);
    await api(server, 'PATCH', `/channels/${channelId}`, { enabled: false });
    const lastUid = await fill(dovecot, user, MESSAGES);
    const watermark = async () => Number((await server.queryOne<{ u: number | null }>('select imap_last_uid as u from email_channel_settings where channel_id = ?', [channelId]))?.u ?? 0);
    const conversations = async () => Number((await server.queryOne<{ n: number | string }>('select count(*) as n from conversations where channel_id = ?', [channelId]))?.n ?? 0);
    if ((await watermark()) >= lastUid) throw new Error('the channel fetched while turned off');
    const started = performance.now();
    await api(server, 'PATCH', `/channels/${channelId}`, { enabled: true });
    await waitFor('every message fetched', async () => (await watermark()) >= lastUid, 600_000, POLL_MS);
    const fetchedAt = performance.now();
    await waitFor('every message in the inbox', async () => (await conversations()) >= MESSAGES, 600_000, POLL_MS);
    const doneAt = performance.now();
    return { fetched: MESSAGES / ((fetchedAt - started) / 1000), inbox: MESSAGES / ((doneAt - started) / 1000) };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.log(`IMAP catch-up: ${MESSAGES} × 2 KB messages, ${os.cpus().length} cores, Node ${process.version}`);
  const dovecot = await startDovecot();
  try {
    const raw = await rawFetch(dovecot);
    console.log('| target | fetched msg/s | in the inbox msg/s | fetched ÷ raw fetch | inbox ÷ raw fetch |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| raw fetch (imapflow, nothing stored) | ${raw.toFixed(0)} | – | – | – |`);
    for (const kind of TARGETS) {
      const r = await catchUp(dovecot, kind);
      console.log(`| Parley on ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${r.fetched.toFixed(0)} | ${r.inbox.toFixed(0)} | ${((100 * r.fetched) / raw).toFixed(0)}% | ${((100 * r.inbox) / raw).toFixed(0)}% |`);
    }
  } finally {
    await dovecot.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
