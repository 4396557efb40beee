// A connected team mailbox after connecting, against a real Dovecot: its settings read back
// without passwords; a password rotated on the server is fixed by PUT /channels/{id}/connection
// (tested first, a wrong one refused with nothing saved), and the mailbox keeps its place;
// switching to another mailbox reads that one from now on; DELETE /channels/{id} disconnects it,
// keeps its conversations (answered from the fallback address) and refuses mail to its address.
import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachStore, makeAccount, type TestStore } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { FAST_POLLER as FAST, rawMessage, startDovecot, type Dovecot, type DovecotUser } from './helpers/dovecot.ts';
import { waitFor } from './helpers/wait.ts';
import { startImapPoller, type ImapPoller } from '../src/server/mail/imap-poll.ts';
import { openJson, secretKey } from '../src/server/core/secrets.ts';
import { lookupRecipient } from '../src/server/mail/recipients.ts';
import { addUser } from './access-fixtures.ts';

const ROTATION_TIMEOUT_MS = 90_000;

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.dispose();
});



async function newMailbox(): Promise<DovecotUser> {
  const mb = { user: `team-${crypto.randomBytes(4).toString('hex')}@example.com`, password: crypto.randomBytes(8).toString('hex') };
  await dovecot.addUser(mb.user, mb.password);
  return mb;
}

async function connected(store: TestStore) {
  const { deps } = store;
  const acct = await makeAccount(deps);
  const app = await testApp(deps);
  const api = apiClient(app, acct.token);
  const mb = await newMailbox();
  const imap = (m: DovecotUser, withPassword = true) => ({ host: dovecot.host, port: dovecot.port, tls: false, user: m.user, ...(withPassword ? { password: m.password } : {}) });
  const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, { type: 'email', teamAddress: mb.user, imap: imap(mb) });
  expect(res.status).toBe(201);
  const channelId: string = res.body.id;
  const subjects = async () =>
    (await deps.store.db.selectFrom('conversations').select('subject').where('inbox_id', '=', acct.inbox.id).orderBy('number').execute()).map((c) => c.subject);
  const send = (m: DovecotUser, subject: string) => dovecot.append(m, rawMessage({ from: 'customer@customer.test', to: m.user, subject, body: `Body of ${subject}` }));
  return { deps, acct, app, api, mb, imap, channelId, subjects, send };
}

describeEachStore(
  'managing a connected team mailbox',
  (store) => {
    let poller: ImapPoller | null = null;
    const stopPoller = async () => {
      await poller?.stop();
      poller = null;
    };

    it('reads its settings back without passwords; only admins may, and the fallback channel is not a mailbox', async () => {
      const m = await connected(store());
      try {
        const res = await m.api.get(`/channels/${m.channelId}/connection`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ teamAddress: m.mb.user, imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: m.mb.user }, smtp: null });
        expect(JSON.stringify(res.body)).not.toContain(m.mb.password);

        const agent = await addUser(m.deps, m.acct.account, { role: 'agent', name: 'Ann' });
        const asAgent = apiClient(m.app, agent.token);
        expect((await asAgent.get(`/channels/${m.channelId}/connection`)).body.error.code).toBe('forbidden');
        expect((await asAgent.put(`/channels/${m.channelId}/connection`, { imap: m.imap(m.mb) })).body.error.code).toBe('forbidden');
        expect((await asAgent.delete(`/channels/${m.channelId}`)).body.error.code).toBe('forbidden');

        const fallback = (await m.api.get(`/inboxes/${m.acct.inbox.id}/channels`)).body.items.find((c: { email: { isFallback: boolean } | null }) => c.email?.isFallback);
        const refused = await m.api.delete(`/channels/${fallback.id}`);
        expect(refused.status).toBe(409);
        expect(refused.body.error.message).toMatch(/turn it off/);
      } finally {
        await m.app.close();
      }
    });

    // A real Dovecot, a poller stopped and started, an auth failure and its recovery: seven waits
    // in a row, which on CI's loaded 2 cores took over the default 30 s once in seven runs.
    it('a rotated password: a wrong one is refused with nothing saved; the right one fixes the status and the mailbox keeps its place', async () => {
      const m = await connected(store());
      poller = startImapPoller(m.deps, FAST);
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send(m.mb, 'Before the rotation');
        await waitFor('the first mail', async () => (await m.subjects()).includes('Before the rotation'));

        // The password changes on the server while the poller is down; mail arrives meanwhile.
        await stopPoller();
        const rotated = crypto.randomBytes(8).toString('hex');
        await dovecot.setPassword(m.mb.user, rotated);
        await m.send({ ...m.mb, password: rotated }, 'While the password was wrong');
        poller = startImapPoller(m.deps, FAST);
        await waitFor('status auth_failed', async () => (await m.api.get(`/channels/${m.channelId}`)).body.status === 'auth_failed');
        const before = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();

        const wrong = await m.api.put(`/channels/${m.channelId}/connection`, { imap: { ...m.imap(m.mb), password: 'not-it' } });
        expect(wrong.status).toBe(422);
        expect(wrong.body.error.code).toBe('imap_auth_failed');
        const unchanged = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect(unchanged.imap_config).toBe(before.imap_config);

        // Another user name without a password is refused before any login is tried.
        const noPassword = await m.api.put(`/channels/${m.channelId}/connection`, { imap: { ...m.imap(m.mb, false), user: 'someone@example.com' } });
        expect(noPassword.status).toBe(400);
        expect(noPassword.body.error.field).toBe('imap.password');

        const fixed = await m.api.put(`/channels/${m.channelId}/connection`, { imap: { ...m.imap(m.mb), password: rotated } });
        expect(fixed.status).toBe(200);
        expect(JSON.stringify(fixed.body)).not.toContain(rotated);
        const saved = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect((openJson(secretKey(m.deps.config), saved.imap_config!) as { password: string }).password).toBe(rotated);
        expect(saved.imap_last_uid).toBe(before.imap_last_uid);

        // The mail that came in meanwhile is fetched once, and the status is back to ok.
        await waitFor('the mail that waited', async () => (await m.subjects()).includes('While the password was wrong'));
        await waitFor('status ok', async () => (await m.api.get(`/channels/${m.channelId}`)).body.status === 'ok');
        expect(await m.subjects()).toEqual(['Before the rotation', 'While the password was wrong']);

        // Leaving the password out keeps the saved one.
        const kept = await m.api.put(`/channels/${m.channelId}/connection`, { imap: m.imap(m.mb, false) });
        expect(kept.status).toBe(200);
        const audit = await m.api.get('/audit-log');
        const actions = (audit.body.items as Array<{ action: string; changes: unknown }>).filter((a) => a.action === 'channel.connection_changed');
        expect(actions).toHaveLength(2);
        expect(JSON.stringify(actions)).not.toContain(rotated);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    }, ROTATION_TIMEOUT_MS);

    it('the same mailbox under another spelling of its server keeps its place: mail that waited meanwhile is fetched, not skipped', async () => {
      const m = await connected(store());
      poller = startImapPoller(m.deps, FAST);
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send(m.mb, 'Before the edit');
        await waitFor('the first mail', async () => (await m.subjects()).includes('Before the edit'));
        await stopPoller();
        await m.send(m.mb, 'Waited during the edit');
        const before = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        // "localhost" for 127.0.0.1, as an admin fixing a failing channel may type it.
        const res = await m.api.put(`/channels/${m.channelId}/connection`, { imap: { ...m.imap(m.mb), host: 'localhost' } });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        const after = await m.deps.store.db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', m.channelId).executeTakeFirstOrThrow();
        expect([after.imap_uidvalidity, after.imap_last_uid, after.imap_connected_at]).toEqual([before.imap_uidvalidity, before.imap_last_uid, before.imap_connected_at]);
        poller = startImapPoller(m.deps, FAST);
        await waitFor('the mail that waited', async () => (await m.subjects()).includes('Waited during the edit'));
        expect(await m.subjects()).toEqual(['Before the edit', 'Waited during the edit']);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('switching to another mailbox reads that one from where it stood, not its old mail, even after it is renumbered', async () => {
      const m = await connected(store());
      // A channel connected a month ago, whose last mail came ten days ago.
      const db = m.deps.store.db;
      const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 3600_000).toISOString();
      await db.updateTable('channels').set({ created_at: daysAgo(30) }).where('id', '=', m.channelId).execute();
      await db.updateTable('email_channel_settings').set({ imap_connected_at: daysAgo(30), last_mail_at: daysAgo(10) }).where('channel_id', '=', m.channelId).execute();
      poller = startImapPoller(m.deps, FAST);
      try {
        const other = await newMailbox();
        // The other mailbox got this five days ago, long after the channel was made.
        await dovecot.append(other, rawMessage({ from: 'customer@customer.test', to: other.user, subject: 'Old mail in the other mailbox', body: 'Old' }), new Date(Date.now() - 5 * 24 * 3600_000));
        const res = await m.api.put(`/channels/${m.channelId}/connection`, { imap: m.imap(other) });
        expect(res.status).toBe(200);
        expect(res.body.imap.user).toBe(other.user);
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));

        // Renumbered before any new mail came: the re-scan starts from when this mailbox was
        // connected, not from the channel's last mail (from the old mailbox) ten days ago.
        await stopPoller();
        await db.updateTable('email_channel_settings').set({ imap_uidvalidity: '1' }).where('channel_id', '=', m.channelId).execute();
        poller = startImapPoller(m.deps, FAST);
        await waitFor('the re-scan', async () => (await db.selectFrom('email_channel_settings').select('imap_uidvalidity').where('channel_id', '=', m.channelId).executeTakeFirstOrThrow()).imap_uidvalidity !== '1');
        await m.send(other, 'New mail in the other mailbox');
        await waitFor('the new mail', async () => (await m.subjects()).includes('New mail in the other mailbox'));
        expect(await m.subjects()).toEqual(['New mail in the other mailbox']);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });

    it('disconnecting keeps the conversations on the fallback address, stops fetching and refuses its addresses', async () => {
      const m = await connected(store());
      poller = startImapPoller(m.deps, FAST);
      try {
        await waitFor('watching', async () => poller!.watching().includes(m.channelId));
        await m.send(m.mb, 'Kept after disconnecting');
        await waitFor('the mail', async () => (await m.subjects()).length === 1);
        const { inboundAddress } = (await m.api.get(`/channels/${m.channelId}`)).body.email;

        const res = await m.api.delete(`/channels/${m.channelId}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ movedConversations: 1 });
        expect((await m.api.get(`/channels/${m.channelId}`)).status).toBe(404);
        await waitFor('the worker to stop', async () => !poller!.watching().includes(m.channelId));

        const conversation = await m.deps.store.db.selectFrom('conversations').selectAll().where('inbox_id', '=', m.acct.inbox.id).executeTakeFirstOrThrow();
        expect(conversation.channel_id).toBe(m.acct.channel.id);
        const reply = await m.api.post(`/conversations/${conversation.id}/messages`, { kind: 'message', body: 'Still here' });
        expect(reply.status).toBe(201);

        for (const address of [m.mb.user, inboundAddress]) expect(await lookupRecipient(m.deps.store.db, address)).toBeNull();
        const gone = await m.api.get('/audit-log');
        expect((gone.body.items as Array<{ action: string }>).some((a) => a.action === 'channel.disconnected')).toBe(true);
      } finally {
        await stopPoller();
        await m.app.close();
      }
    });
  },
  { ALLOW_PRIVATE_MAIL_HOSTS: 'true' },
);
