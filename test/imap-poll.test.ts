// The imap role against a real Dovecot: new mail arrives through IDLE and becomes a conversation;
// a restart neither re-imports nor misses mail; a deleted conversation is not re-imported, not
// even by the re-scan after a UIDVALIDITY change, which imports only what the mailbox received
// since the channel's import horizon (never the history from before connecting); a
// turned-off channel's mail waits on the server and is fetched when turned on; a stopped server
// or a changed password shows in the channel's status and recovers; two processes never watch one
// mailbox at once, and one takes over when the other stops or dies; a message our storing fails on
// waits in the spool and is retried, while the mail behind it arrives.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachStore, makeAccount, type TestStore } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { FAST_POLLER as FAST, rawMessage, startDovecot, type Dovecot, type DovecotUser } from './helpers/dovecot.ts';
import { waitFor } from './helpers/wait.ts';
import { poisonConversations } from './helpers/poison.ts';
import { startImapPoller, type ImapPoller } from '../src/server/mail/imap-poll.ts';
import { backoffDelay, fetchBatches, uidSet } from '../src/server/mail/imap-mailbox.ts';
import { spoolDir } from '../src/server/mail/spool-files.ts';

/** A process id nothing on this host runs now (signal 0 finds no such process). */
function unusedPid(): number {
  for (let pid = 2 ** 22 - 1; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.dispose();
});



/** A Dovecot mailbox connected as a channel; `history`: more mail already there before connecting. */
async function connectedMailbox(store: TestStore, history: Array<{ subject: string; at: Date }> = []) {
  const { deps } = store;
  const acct = await makeAccount(deps);
  const app = await testApp(deps);
  const api = apiClient(app, acct.token);
  const mb: DovecotUser = { user: `team-${crypto.randomBytes(4).toString('hex')}@example.com`, password: crypto.randomBytes(8).toString('hex') };
  await dovecot.addUser(mb.user, mb.password);
  // Mail already in the mailbox when it is connected is not imported; only what arrives after.
  // Dated a minute back: INTERNALDATE has whole seconds, and this must predate the connection.
  await dovecot.append(mb, rawMessage({ from: 'old@customer.test', to: mb.user, subject: 'Before connecting', body: 'old' }), new Date(Date.now() - 60_000));
  for (const h of history) await dovecot.append(mb, rawMessage({ from: 'archive@customer.test', to: mb.user, subject: h.subject, body: 'history' }), h.at);
  const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, {
    type: 'email',
    teamAddress: mb.user,
    imap: { host: dovecot.host, port: dovecot.port, tls: false, user: mb.user, password: mb.password },
  });
  expect(res.status).toBe(201);
  const channelId: string = res.body.id;
  const subjects = async () =>
    (await deps.store.db.selectFrom('conversations').select('subject').where('channel_id', '=', channelId).orderBy('number').execute()).map((c) => c.subject);
  const messageCount = async () =>
    Number((await deps.store.db.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id').select((eb) => eb.fn.countAll().as('n')).where('conversations.channel_id', '=', channelId).executeTakeFirstOrThrow()).n);
  const channel = async () => (await api.get(`/channels/${channelId}`)).body;
  const send = (subject: string, from = 'customer@customer.test') => dovecot.append(mb, rawMessage({ from, to: mb.user, subject, body: `Body of ${subject}` }));
  return { deps, acct, app, api, mb, channelId, subjects, messageCount, channel, send };
}

describeEachStore(
  'IMAP poller',
  (store) => {
    let poller: ImapPoller | null = null;
    const startPoller = () => (poller = startImapPoller(store().deps, FAST));
    const stopPoller = async () => {
      await poller?.stop();
      poller = null;
    };

    it('imports new mail through IDLE as a conversation, and records the fetch', async () => {
      const m = await connectedMailbox(store());
      startPoller();
      try {
        await waitFor('the poller to watch the mailbox', async () => poller!.watching().includes(m.channelId));
        const checked = await waitFor('the first check', async () => {
          const c = await m.channel();
          return c.email.lastFetchedAt ? c : null;
        });
        expect(checked.email.lastMailAt).toBeNull(); // what was there before connecting is not imported
        const sentAt = Date.now();
        await m.send('Where is my order?');
        const subjects = await waitFor('the conversation', async () => ((await m.subjects()).length ? m.subjects() : null));
        expect(subjects).toEqual(['Where is my order?']);
        const conv = await m.deps.store.db.selectFrom('conversations').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect(conv.status).toBe('open');
        const contact = await m.deps.store.db.selectFrom('contacts').select('email').where('id', '=', conv.contact_id!).executeTakeFirstOrThrow();
        expect(contact.email).toBe('customer@customer.test');
        const ch = await waitFor('last fetched time', async () => {
          const c = await m.channel();
          return c.email.lastFetchedAt ? c : null;
        });
        expect(ch.status).toBe('ok');
        expect(Date.parse(ch.email.lastMailAt)).toBeGreaterThanOrEqual(sentAt - 1_000);
        expect(Date.parse(ch.email.lastMailAt)).toBeLessThanOrEqual(Date.now());
        const settings = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect(settings.imap_last_uid).toBe(2); // UID 1 was there before connecting and is not imported
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('a restart neither re-imports nor misses mail, and a deleted conversation stays deleted', async () => {
      const m = await connectedMailbox(store());
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send('First');
        await m.send('Second');
        await waitFor('two conversations', async () => (await m.subjects()).length === 2);
        await stopPoller();

        // Delete one conversation while the poller is down, and let mail arrive meanwhile.
        const second = await m.deps.store.db.selectFrom('conversations').select('id').where('channel_id', '=', m.channelId).where('subject', '=', 'Second').executeTakeFirstOrThrow();
        await m.deps.store.db.deleteFrom('messages').where('conversation_id', '=', second.id).execute();
        await m.deps.store.db.deleteFrom('conversations').where('id', '=', second.id).execute();
        await m.send('Third, while stopped');
        await m.send('Fourth, while stopped');

        startPoller();
        await waitFor('the mail that arrived while stopped', async () => (await m.subjects()).length === 3);
        // And one more through IDLE after the restart, so we know the poller has caught up.
        await m.send('Fifth');
        await waitFor('the fifth', async () => (await m.subjects()).includes('Fifth'));
        // Mail fetched together is processed side by side, so numbers need not follow UID order.
        expect((await m.subjects()).sort()).toEqual(['Fifth', 'First', 'Fourth, while stopped', 'Third, while stopped']);
        expect(await m.messageCount()).toBe(4);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('a message that cannot be stored yet waits in the spool with its error, without holding back the mail behind it', async () => {
      const m = await connectedMailbox(store());
      const db = m.deps.store.db;
      // A fault in our own storing, for one message only: the database refuses its conversation.
      const cure = await poisonConversations(m.deps.store, 'Poison');
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send('Poison');
        await m.send('After the poison');
        await waitFor('the mail behind it', async () => (await m.subjects()).includes('After the poison'));
        const settings = await db.selectFrom('email_channel_settings').select('imap_last_uid').where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect(settings.imap_last_uid).toBe(3);
        const waiting = await waitFor('the failure recorded', async () => {
          const rows = await db.selectFrom('inbound_queue').selectAll().where('channel_id', '=', m.channelId).execute();
          return rows.length === 1 && rows[0]!.last_error ? rows[0]! : null;
        });
        expect(waiting).toMatchObject({ via: 'imap', attempts: 1 });
        expect(waiting.last_error).toMatch(/poisoned for the test/);
        expect(await m.subjects()).toEqual(['After the poison']);
        // The settings screen's channel shows it.
        expect((await m.channel()).email.waitingMail).toMatchObject({ count: 1, lastError: expect.stringMatching(/poisoned for the test/), nextAttemptAt: expect.any(String) });

        // Fixed: the retry stores it, once, and empties the spool.
        await cure();
        await waitFor('the retried message', async () => (await m.subjects()).includes('Poison'));
        expect(await m.messageCount()).toBe(2);
        expect(await db.selectFrom('inbound_queue').select('id').where('channel_id', '=', m.channelId).execute()).toEqual([]);
        expect(await m.channel()).toMatchObject({ status: 'ok', email: { waitingMail: null } });
      } finally {
        await stopPoller();
        await cure();
        await m.app.close();
      }
    });

    it('a large message comes through a spool file, whole, beside small ones in the same fetch, and the file is removed', async () => {
      const m = await connectedMailbox(store());
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await stopPoller();
        // Arrived while the poller was down: one fetch takes all three.
        await m.send('Small before');
        const body = `${'0123456789abcdef'.repeat(4)}\r\n`.repeat(5_000); // ~330 KB, over the in-row limit
        await dovecot.append(m.mb, rawMessage({ from: 'big@customer.test', to: m.mb.user, subject: 'Large', body }));
        await m.send('Small after');
        startPoller();
        await waitFor('all three', async () => (await m.subjects()).length === 3);
        const large = await m.deps.store.db
          .selectFrom('messages')
          .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
          .select('messages.text')
          .where('conversations.channel_id', '=', m.channelId)
          .where('conversations.subject', '=', 'Large')
          .executeTakeFirstOrThrow();
        expect(large.text.length).toBeGreaterThan(320_000);
        const dir = spoolDir(m.deps.config.dataDir);
        await waitFor('the spool file removed', async () => !fs.existsSync(dir) || fs.readdirSync(dir).length === 0);
        expect(await m.deps.store.db.selectFrom('inbound_queue').select('id').where('channel_id', '=', m.channelId).execute()).toEqual([]);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('a changed UIDVALIDITY re-imports only what arrived since the import horizon: no history from before connecting, nothing twice, nothing missed', async () => {
      // Years of history, already there when the mailbox is connected.
      const m = await connectedMailbox(store(), [{ subject: 'Two years old', at: new Date(Date.now() - 2 * 365 * 24 * 3600_000) }]);
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send('First');
        await m.send('Second');
        await waitFor('two conversations', async () => (await m.subjects()).length === 2);
        await stopPoller();
        // Delivered after connecting, not fetched yet when the mailbox is renumbered.
        await m.send('Arrived while stopped');
        // RFC 3501 §2.3.1.1: a server may renumber a mailbox (a restore, a migration); our stored
        // UIDVALIDITY then no longer matches what the server reports.
        await m.deps.store.db.updateTable('email_channel_settings').set({ imap_uidvalidity: '1' }).where('channel_id', '=', m.channelId).execute();
        startPoller();
        await waitFor('the re-scan', async () => (await m.subjects()).includes('Arrived while stopped'));
        await m.send('Third');
        await waitFor('the third', async () => (await m.subjects()).includes('Third'));
        await waitFor('the spool emptied', async () => (await m.deps.store.db.selectFrom('inbound_queue').select('id').where('channel_id', '=', m.channelId).execute()).length === 0);
        expect([...(await m.subjects())].sort()).toEqual(['Arrived while stopped', 'First', 'Second', 'Third']);
        expect(await m.messageCount()).toBe(4);
        const settings = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect(settings.imap_uidvalidity).not.toBe('1');
        expect(settings.imap_last_uid).toBe(6);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('a conversation deleted through the API is not re-created by the re-scan after a UIDVALIDITY change', async () => {
      const m = await connectedMailbox(store());
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send('Keep me');
        await m.send('Delete me');
        await waitFor('two conversations', async () => (await m.subjects()).length === 2);
        const doomed = await m.deps.store.db.selectFrom('conversations').select('id').where('channel_id', '=', m.channelId).where('subject', '=', 'Delete me').executeTakeFirstOrThrow();
        expect((await m.api.delete(`/conversations/${doomed.id}`)).status).toBe(204);
        expect(await m.subjects()).toEqual(['Keep me']);
        await stopPoller();
        await m.deps.store.db.updateTable('email_channel_settings').set({ imap_uidvalidity: '1' }).where('channel_id', '=', m.channelId).execute();
        startPoller();
        // The re-scan fetches both again (they are after the horizon); then new mail, to know it is done.
        await waitFor('the re-scan', async () => {
          const s = await m.deps.store.db.selectFrom('email_channel_settings').select('imap_uidvalidity').where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
          return s.imap_uidvalidity !== '1';
        });
        await m.send('After the re-scan');
        await waitFor('the new mail', async () => (await m.subjects()).includes('After the re-scan'));
        await waitFor('the spool emptied', async () => (await m.deps.store.db.selectFrom('inbound_queue').select('id').where('channel_id', '=', m.channelId).execute()).length === 0);
        expect(await m.subjects()).toEqual(['Keep me', 'After the re-scan']);
        expect(await m.messageCount()).toBe(2);
        expect(await dovecot.count(m.mb)).toBe(4); // the mailbox itself is left as it is
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('a turned-off channel leaves mail waiting on the server; turned on, it is fetched, dated when the mailbox got it', async () => {
      const m = await connectedMailbox(store());
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        expect((await m.api.patch(`/channels/${m.channelId}`, { enabled: false })).status).toBe(200);
        await poller!.reconcile();
        expect(poller!.watching()).not.toContain(m.channelId);
        // It reached the mailbox two hours ago (IMAP INTERNALDATE has whole seconds).
        const reached = new Date(Math.floor((Date.now() - 2 * 3600_000) / 1000) * 1000);
        await dovecot.append(m.mb, rawMessage({ from: 'customer@customer.test', to: m.mb.user, subject: 'Sent while off', body: 'Waiting' }), reached);
        expect(await dovecot.count(m.mb)).toBe(2);
        expect(await m.subjects()).toEqual([]);

        expect((await m.api.patch(`/channels/${m.channelId}`, { enabled: true })).status).toBe(200);
        await waitFor('the waiting mail', async () => (await m.subjects()).length === 1);
        expect(await m.subjects()).toEqual(['Sent while off']);
        expect(await dovecot.count(m.mb)).toBe(2); // fetched, not moved or deleted
        const conversation = await m.deps.store.db.selectFrom('conversations').select(['id', 'created_at', 'last_activity_at']).where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        const message = await m.deps.store.db.selectFrom('messages').select('created_at').where('conversation_id', '=', conversation.id).executeTakeFirstOrThrow();
        expect([message.created_at, conversation.created_at, conversation.last_activity_at]).toEqual(Array(3).fill(reached.toISOString()));
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('a stopped server shows as unreachable and recovers when it is back, fetching what arrived', async () => {
      const m = await connectedMailbox(store());
      startPoller();
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send('Before the outage');
        await waitFor('first', async () => (await m.subjects()).length === 1);
        await dovecot.stop();
        const down = await waitFor('unreachable status', async () => {
          const c = await m.channel();
          return c.status === 'unreachable' ? c : null;
        });
        expect(down.statusDetail).toBe(`Could not connect to ${dovecot.host}:${dovecot.port}: ECONNREFUSED`);
        await dovecot.start();
        await waitFor('ok status', async () => (await m.channel()).status === 'ok');
        expect((await m.channel()).statusDetail).toBeNull();
        await m.send('After the outage');
        await waitFor('second', async () => (await m.subjects()).length === 2);
        expect(await m.subjects()).toEqual(['Before the outage', 'After the outage']);
      } finally {
        if (!dovecot.running()) await dovecot.start();
        await stopPoller();
        await m.app.close();
      }
    });

    it('a refused password shows as auth_failed and recovers when the password works again', async () => {
      const m = await connectedMailbox(store());
      await m.send('Waiting behind the password');
      await dovecot.setPassword(m.mb.user, 'changed-on-the-server');
      startPoller();
      try {
        const failed = await waitFor('auth_failed status', async () => {
          const c = await m.channel();
          return c.status === 'auth_failed' ? c : null;
        });
        expect(failed.statusDetail).toMatch(/refused the user name or password/);
        expect(await m.subjects()).toEqual([]);
        await dovecot.setPassword(m.mb.user, m.mb.password);
        await waitFor('ok status', async () => (await m.channel()).status === 'ok');
        await waitFor('the mail', async () => (await m.subjects()).length === 1);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('two processes share a mailbox: one watches it; the other takes over when it stops or its lease expires', async () => {
      const m = await connectedMailbox(store());
      const { db } = m.deps.store;
      const lease = (holder: string, untilMs: number) =>
        db.updateTable('email_channel_settings').set({ imap_lease_holder: holder, imap_lease_until: new Date(Date.now() + untilMs).toISOString() }).where('channel_id', '=', m.channelId).execute();
      // Each poller stands for one process (its own lease holder name) on the same database.
      const running = new Set([startImapPoller(m.deps, FAST), startImapPoller(m.deps, FAST)]);
      const stop = async (p: ImapPoller) => {
        running.delete(p);
        await p.stop();
      };
      try {
        const watcher = await waitFor('one poller to watch the mailbox', async () => [...running].find((p) => p.watching().includes(m.channelId)));
        const other = [...running].find((p) => p !== watcher)!;
        // Several reconcile rounds (300 ms apart here) later, still only the one.
        await new Promise((r) => setTimeout(r, 1_000));
        await other.reconcile();
        expect(other.watching()).not.toContain(m.channelId);
        expect(watcher.watching()).toContain(m.channelId);
        await m.send('While the first one watches');
        await waitFor('the first mail', async () => (await m.subjects()).length === 1);

        // A process that stops gives the lease back: the other takes over at its next reconcile.
        await stop(watcher);
        await waitFor('the other poller to take over', async () => other.watching().includes(m.channelId));
        await m.send('After the takeover');
        await waitFor('the second mail', async () => (await m.subjects()).length === 2);
        await stop(other);

        // A process that died keeps its lease until it expires; then a live one takes it.
        await lease('ghost-process', 60_000);
        const third = startImapPoller(m.deps, FAST);
        running.add(third);
        await third.reconcile();
        await third.reconcile();
        expect(third.watching()).not.toContain(m.channelId);
        await lease('ghost-process', -1_000);
        await waitFor('the expired lease to be taken', async () => third.watching().includes(m.channelId));
        await m.send('After the dead one');
        await waitFor('the third mail', async () => (await m.subjects()).length === 3);
        expect(await m.subjects()).toEqual(['While the first one watches', 'After the takeover', 'After the dead one']);
        expect(await m.messageCount()).toBe(3);
        await stop(third);

        // A process of this host that is gone (a crash, kill -9) holds it no longer than the next
        // reconcile: a restarted single-process install does not wait for the lease to expire.
        // A live process of this host keeps its lease.
        const host = os.hostname();
        const gonePid = unusedPid();
        await lease(`${host}:${process.ppid}:0:alive`, 60_000);
        const fourth = startImapPoller(m.deps, FAST);
        running.add(fourth);
        await fourth.reconcile();
        await fourth.reconcile();
        expect(fourth.watching()).not.toContain(m.channelId);
        await lease(`${host}:${gonePid}:0:crashed`, 60_000);
        await fourth.reconcile();
        expect(fourth.watching()).toContain(m.channelId);
        // An earlier run that had this very pid is gone too (a restarted container's pid 1).
        await stop(fourth);
        await lease(`${host}:${process.pid}:12345:earlier-run`, 60_000);
        const fifth = startImapPoller(m.deps, FAST);
        running.add(fifth);
        await fifth.reconcile();
        expect(fifth.watching()).toContain(m.channelId);
        // Stopped while it may still be connecting to the mailbox: a stop must not wait on a
        // connect it closed (it did, forever, until the worker raced connect with stop).
        await stop(fifth);
      } finally {
        for (const p of running) await p.stop();
        await m.app.close();
      }
    });
  },
  { ALLOW_PRIVATE_MAIL_HOSTS: 'true' },
);

describe('IMAP reconnect backoff', () => {
  it('doubles from the base and stops at the cap (about 10 minutes by default)', () => {
    const t = { backoffBaseMs: 2_000, backoffMaxMs: 600_000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, t))).toEqual([0, 2_000, 4_000, 8_000, 16_000]);
    expect(backoffDelay(9, t)).toBe(512_000);
    expect(backoffDelay(10, t)).toBe(600_000);
    expect(backoffDelay(1000, t)).toBe(600_000);
  });
});

describe('IMAP fetch batches', () => {
  const uidsOf = (batches: Array<Array<{ uid: number }>>) => batches.map((b) => b.map((m) => m.uid));
  it('keeps UID order and cuts at 100 messages', () => {
    const messages = Array.from({ length: 250 }, (_, i) => ({ uid: 250 - i, size: 2_000 }));
    const batches = uidsOf(fetchBatches(messages));
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });
  it('cuts at 16 MB, and a larger message goes alone', () => {
    const MB = 1024 * 1024;
    const sizes = [6 * MB, 6 * MB, 6 * MB, 40 * MB, 1 * MB, 1 * MB];
    expect(uidsOf(fetchBatches(sizes.map((size, i) => ({ uid: i + 10, size }))))).toEqual([[10, 11], [12], [13], [14, 15]]);
  });
  it('makes no batch of nothing', () => {
    expect(fetchBatches([])).toEqual([]);
  });
});

describe('IMAP UID sets', () => {
  it('folds runs into ranges, in order, once each', () => {
    expect(uidSet([9, 3, 4, 5, 12, 13, 7, 4])).toBe('3:5,7,9,12:13');
    expect(uidSet([1])).toBe('1');
  });
});
