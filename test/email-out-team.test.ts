// A connected team mailbox sends as itself (issue 4 items 3 and 9), on SQLite and PostgreSQL:
// replies in its conversations go through its own SMTP server (a sink that requires a login) from
// the team address and are saved to its Sent folder on a real Dovecot; when that server refuses the
// login, replies go out from the fallback email with an activity line and the channel's status
// says so; with "Use the Parley email for sending" off they wait with the reason. Also DKIM.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { openOutboxRig, rawEmail, type OutboxRig } from './helpers/email-out.ts';
import { parseCaught, rawHeader, startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { sealJson, secretKey } from '../src/server/core/secrets.ts';
import { ingestRawEmail } from '../src/server/mail/ingest.ts';

const TEAM = { user: 'team', password: 'team-pass-1' };
const TEAM_ADDRESS = 'support@acme-corp.test';

for (const kind of STORE_KINDS) {
  describe(`team mailbox sending [${kind}]`, () => {
    let rig: OutboxRig;
    let teamSmtp: SmtpSink;
    let dovecot: Dovecot;
    let keyDir: string;
    beforeAll(async () => {
      keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-dkim-'));
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
      fs.writeFileSync(path.join(keyDir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      dovecot = await startDovecot([TEAM]);
      teamSmtp = await startSmtpSink({ auth: { user: TEAM.user, pass: TEAM.password } });
      rig = await openOutboxRig(kind, { ALLOW_PRIVATE_MAIL_HOSTS: 'true', DKIM_SELECTOR: 'parley1', DKIM_PRIVATE_KEY_PATH: path.join(keyDir, 'dkim.pem') });
      const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: TEAM.user, pass: TEAM.password }, logger: false });
      await client.connect();
      await client.mailboxCreate('Sent').catch(() => undefined);
      await client.logout();
    });
    afterAll(async () => {
      await rig?.close();
      await teamSmtp?.close();
      await dovecot?.dispose();
      fs.rmSync(keyDir, { recursive: true, force: true });
    });

    async function setup(smtpPassword = TEAM.password) {
      const deps = rig.store.deps;
      const acct = await makeAccount(deps);
      await deps.store.db.updateTable('users').set({ first_name: 'Ada', last_name: 'Lovelace' }).where('id', '=', acct.owner.id).execute();
      const key = secretKey({ secretKey: deps.config.secretKey, dataDir: deps.config.dataDir });
      const channelId = crypto.randomUUID();
      const now = new Date().toISOString();
      const teamAddress = `${acct.account.subdomain}-${TEAM_ADDRESS}`;
      await deps.store.db.insertInto('channels').values({ id: channelId, account_id: acct.account.id, inbox_id: acct.inbox.id, type: 'email', name: 'Team email', enabled: 1, status: 'ok', status_detail: null, created_at: now }).execute();
      await deps.store.db
        .insertInto('email_channel_settings')
        .values({
          channel_id: channelId,
          is_fallback: 0,
          inbound_address: teamAddress,
          forwarding_address: `fwd-${crypto.randomBytes(6).toString('hex')}@${acct.email.inbound_address.split('@')[1]}`,
          team_address: teamAddress,
          use_for_sending: 1,
          from_name_mode: 'agent_and_company',
          company_name: 'Acme',
          from_address_mode: 'default',
          custom_from_address: null,
          custom_from_verified_at: null,
          signature_enabled: 0,
          signature_mode: 'simple',
          signature_html: '',
          original_sender_of_forwards: 1,
          imap_config: sealJson(key, { host: dovecot.host, port: dovecot.port, tls: false, user: TEAM.user, password: TEAM.password }),
          smtp_config: sealJson(key, { host: '127.0.0.1', port: teamSmtp.port, tls: false, user: TEAM.user, password: smtpPassword }),
          imap_uidvalidity: null,
          imap_last_uid: null,
          last_fetched_at: null,
        })
        .execute();
      await deps.store.db.insertInto('channel_addresses').values({ address: teamAddress, channel_id: channelId, kind: 'team' }).execute();
      const result = await ingestRawEmail(deps, { raw: rawEmail({ to: teamAddress, subject: 'Team question' }), recipients: [teamAddress], mailFrom: 'grace@customer.test', via: 'imap', channelId });
      if (result.outcome !== 'stored') throw new Error(result.outcome);
      const conversation = await deps.store.db.selectFrom('conversations').selectAll().where('id', '=', result.conversationId).executeTakeFirstOrThrow();
      expect(conversation.channel_id).toBe(channelId);
      return { acct, api: apiClient(rig.app, acct.token), convId: result.conversationId, channelId, teamAddress };
    }

    it('sends through the team server from the team address and saves a copy to its Sent folder', async () => {
      const { api, convId, teamAddress } = await setup();
      const relayBefore = rig.sink.messages.length;
      const teamBefore = teamSmtp.messages.length;
      const res = await api.post(`/conversations/${convId}/messages`, { body: 'From the team mailbox' });
      expect(res.status).toBe(201);
      await rig.drain();
      const caught = (await teamSmtp.waitFor(teamBefore + 1))[teamBefore]!;
      const mail = await parseCaught(caught);
      expect(mail.from).toEqual({ name: 'Ada Lovelace at Acme', address: teamAddress });
      expect(caught.mailFrom).toBe(teamAddress);
      expect(mail.replyTo ?? []).toEqual([]);
      expect(rawHeader(mail.headerBlock, 'DKIM-Signature')).toEqual([]); // not our domain: not signed
      expect(rig.sink.messages.length).toBe(relayBefore);

      const client = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, auth: { user: TEAM.user, pass: TEAM.password }, logger: false });
      await client.connect();
      try {
        const lock = await client.getMailboxLock('Sent');
        try {
          const found = await client.search({ header: { 'message-id': res.body.email.messageId } }, { uid: true });
          expect(found).not.toBe(false);
          expect((found as number[]).length).toBe(1);
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
    });

    it('falls back to the fallback email when the team server refuses the login, and says so', async () => {
      const { acct, api, convId, channelId } = await setup('wrong-password');
      const relayBefore = rig.sink.messages.length;
      const res = await api.post(`/conversations/${convId}/messages`, { body: 'Team login is broken' });
      await rig.drain();
      const mail = await parseCaught((await rig.sink.waitFor(relayBefore + 1))[relayBefore]!);
      const domain = acct.email.inbound_address.split('@')[1]!;
      expect(mail.from).toEqual({ name: 'Ada Lovelace at ' + acct.email.company_name, address: `ada.lovelace@${domain}` });
      // Our domain with a key configured: DKIM-signed with d=MAIL_DOMAIN.
      const dkim = rawHeader(mail.headerBlock, 'DKIM-Signature')[0] ?? '';
      expect(dkim).toContain('d=parley.localhost');
      expect(dkim).toContain('s=parley1');
      const channel = await api.get(`/channels/${channelId}`);
      expect(channel.body.status).toBe('auth_failed');
      expect(channel.body.statusDetail).toContain('Replies go out from the fallback email');
      const thread = (await api.get(`/conversations/${convId}/messages`)).body.items as Array<{ id: string; kind: string; text: string; deliveryStatus: string | null }>;
      expect(thread.find((m) => m.id === res.body.id)?.deliveryStatus).toBe('sent');
      expect(thread.some((m) => m.kind === 'activity' && m.text.includes('sent from the fallback email'))).toBe(true);
    });

    it('waits with the reason when the team server is down and the fallback email may not send', async () => {
      const { acct, api, convId } = await setup('wrong-password');
      await api.patch(`/channels/${acct.channel.id}`, { email: { useForSending: false } });
      const relayBefore = rig.sink.messages.length;
      const res = await api.post(`/conversations/${convId}/messages`, { body: 'Nobody can send this yet' });
      expect(res.status).toBe(201);
      await rig.drain();
      const waiting = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(waiting.deliveryStatus).toBe('queued');
      expect(waiting.deliveryError).toContain('refused the login');
      expect(rig.sink.messages.length).toBe(relayBefore);
    });
  });
}
