// Ownership of connected team addresses on SQLite and PostgreSQL: connecting over IMAP does not
// route the address over SMTP; a link mailed to the address (caught by a local sink acting as the
// relay) does, for the first account that confirms it. The squat QA found: another account naming
// an address it does not own never receives its mail and never learns who owns it.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { openOutboxRig, type OutboxRig } from './helpers/email-out.ts';
import { parseCaught } from './helpers/smtp-sink.ts';
import { startDovecot, type Dovecot } from './helpers/dovecot.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../src/server/mail/smtp-in.ts';
import { crlf, sendRaw } from './email-in-support.ts';

let dovecot: Dovecot;
beforeAll(async () => {
  dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.dispose();
});

function eml(to: string, subject: string): Buffer {
  return crlf(`From: Ann <ann@customer.test>\nTo: ${to}\nSubject: ${subject}\nMessage-ID: <${crypto.randomUUID()}@customer.test>\n\nHello\n`);
}

for (const kind of STORE_KINDS) {
  describe(`team address verification [${kind}]`, () => {
    let rig: OutboxRig;
    let smtp: SmtpReceiver;
    beforeAll(async () => {
      rig = await openOutboxRig(kind, { ALLOW_PRIVATE_MAIL_HOSTS: 'true' });
      smtp = await startSmtpReceiver(rig.store.deps, { port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await smtp?.stop();
      await rig?.close();
    });

    /** An account with its own IMAP mailbox connected under `teamAddress` (which the mailbox need not be). */
    async function connect(teamAddress: string) {
      const acct = await makeAccount(rig.store.deps);
      const user = `box-${crypto.randomBytes(4).toString('hex')}@mail.test`;
      const password = crypto.randomBytes(8).toString('hex');
      await dovecot.addUser(user, password);
      const api = apiClient(rig.app, acct.token);
      const res = await api.post(`/inboxes/${acct.inbox.id}/channels`, { type: 'email', teamAddress, imap: { host: dovecot.host, port: dovecot.port, tls: false, user, password } });
      return { acct, api, res, imap: { user, password } };
    }

    async function rcpt(address: string): Promise<string> {
      const r = await sendRaw(smtp.port, { from: 'ann@customer.test', to: [address], data: eml(address, 'probe') });
      return r.replies[3]!;
    }

    /** Asks for the link and returns its path, caught at the relay. */
    async function requestLink(api: ReturnType<typeof apiClient>, channelId: string, address: string): Promise<string> {
      const before = rig.sink.messages.length;
      const res = await api.post(`/channels/${channelId}/verify-team-address`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.address).toBe(address);
      await rig.drain();
      for (let count = before + 1; ; count++) {
        const caught = rig.sink.messages.slice(before).find((c) => c.rcptTo.includes(address));
        if (caught) {
          const mail = await parseCaught(caught);
          return /http:\/\/parley\.test:3000(\/verify-team-address\?token=[A-Za-z0-9_%-]+)/.exec(mail.text ?? '')![1]!;
        }
        await rig.sink.waitFor(count);
      }
    }

    const confirm = (link: string) =>
      rig.app.inject({ method: 'POST', url: '/verify-team-address', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${link.split('token=')[1]!}` });

    it('routes SMTP mail to a team address only after its owner confirms the link; a squatter gets nothing and learns nothing', async () => {
      const address = `support@acme-${crypto.randomBytes(3).toString('hex')}.test`;
      // Initech names Acme's address with a mailbox of its own: the IMAP login proves access to that mailbox only.
      const initech = await connect(address);
      expect(initech.res.status, JSON.stringify(initech.res.body)).toBe(201);
      expect(initech.res.body.email).toMatchObject({ teamAddress: address, teamAddressVerified: false });
      expect(await rcpt(address)).toMatch(/^550 5\.1\.1/);

      // An unproven claim blocks nobody: Acme connects the same address.
      const acme = await connect(address);
      expect(acme.res.status, JSON.stringify(acme.res.body)).toBe(201);
      expect(await rcpt(address)).toMatch(/^550 5\.1\.1/);

      // Both links go to the address itself; only Acme, who reads its mail, can open Acme's.
      const initechLink = await requestLink(initech.api, initech.res.body.id, address);
      const acmeLink = await requestLink(acme.api, acme.res.body.id, address);

      // Opening the link (as a mail scanner would) shows who asks, and confirms nothing.
      const page = await rig.app.inject({ method: 'GET', url: acmeLink });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(acme.acct.account.name);
      expect(page.body).toContain('<form method="post" action="/verify-team-address">');
      expect((await acme.api.get(`/channels/${acme.res.body.id}`)).body.email.teamAddressVerified).toBe(false);

      const confirmed = await confirm(acmeLink);
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain(`${address} is verified`);
      expect((await confirm(acmeLink)).statusCode).toBe(409);
      expect((await acme.api.get(`/channels/${acme.res.body.id}`)).body.email.teamAddressVerified).toBe(true);

      // SMTP now delivers to Acme, and only to Acme.
      expect(await rcpt(address)).toMatch(/^250/);
      const sent = await sendRaw(smtp.port, { from: 'ann@customer.test', to: [address.toUpperCase()], data: eml(address, 'For Acme') });
      expect(sent.final).toMatch(/^250 /);
      await smtp.settled();
      const subjects = async (api: ReturnType<typeof apiClient>) => ((await api.get('/conversations?limit=50')).body.items as Array<{ subject: string }>).map((c) => c.subject);
      expect(await subjects(acme.api)).toContain('For Acme');
      expect(await subjects(initech.api)).not.toContain('For Acme');

      // The first to prove the address wins; the others are told without naming the owner.
      const late = await confirm(initechLink);
      expect(late.statusCode).toBe(409);
      expect(late.body).toContain('another Parley account');
      const again = await initech.api.post(`/channels/${initech.res.body.id}/verify-team-address`, {});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('address_taken');
      // Its settings say so up front, instead of offering a link that cannot help.
      expect((await initech.api.get(`/channels/${initech.res.body.id}`)).body.email.teamAddressVerification).toEqual({ state: 'taken', sentAt: null, expiresAt: null, resendAfter: null });
      expect((await acme.api.get(`/channels/${acme.res.body.id}`)).body.email.teamAddressVerification.state).toBe('verified');
      const third = await connect(address);
      expect(third.res.status).toBe(409);
      expect(third.res.body.error).toMatchObject({ code: 'address_taken', message: `${address} is verified by another Parley account, which receives its mail; it cannot be connected here` });
      for (const body of [JSON.stringify(again.body), JSON.stringify(third.res.body), late.body]) {
        expect(body).not.toContain(acme.acct.account.subdomain);
        expect(body).not.toContain(acme.acct.account.name);
      }
      // Within one account an address is connected once.
      const twice = await acme.api.post(`/inboxes/${acme.acct.inbox.id}/channels`, { type: 'email', teamAddress: address, imap: { host: dovecot.host, port: dovecot.port, tls: false, ...acme.imap } });
      expect(twice.status).toBe(409);
      expect(twice.body.error).toMatchObject({ code: 'address_taken', message: `${address} is already connected to a channel` });
    });

    it('refuses a link request for a channel without a team address, for a verified address, and from another account', async () => {
      const address = `help@globex-${crypto.randomBytes(3).toString('hex')}.test`;
      const owner = await connect(address);
      const fallback = await owner.api.post(`/channels/${owner.acct.channel.id}/verify-team-address`, {});
      expect(fallback.status).toBe(400);
      expect(fallback.body.error.code).toBe('validation_failed');
      await confirm(await requestLink(owner.api, owner.res.body.id, address));
      const done = await owner.api.post(`/channels/${owner.res.body.id}/verify-team-address`, {});
      expect(done.status).toBe(409);
      expect(done.body.error.code).toBe('conflict');
      const stranger = await makeAccount(rig.store.deps);
      expect((await apiClient(rig.app, stranger.token).post(`/channels/${owner.res.body.id}/verify-team-address`, {})).status).toBe(404);
    });

    it('shows a link as sent until it expires, refuses another for the same address within a minute, and only the newest link works', async () => {
      const address = `care@hooli-${crypto.randomBytes(3).toString('hex')}.test`;
      const owner = await connect(address);
      const channelUrl = `/channels/${owner.res.body.id}`;
      const view = async () => (await owner.api.get(channelUrl)).body.email.teamAddressVerification;
      expect(owner.res.body.email.teamAddressVerification).toEqual({ state: 'none', sentAt: null, expiresAt: null, resendAfter: null });

      const first = await requestLink(owner.api, owner.res.body.id, address);
      const sent = await view();
      expect(sent.state).toBe('sent');
      expect(Date.parse(sent.expiresAt) - Date.parse(sent.sentAt)).toBe(24 * 3600_000);
      expect(Date.parse(sent.resendAfter) - Date.parse(sent.sentAt)).toBe(60_000);

      const tooSoon = await owner.api.post(`${channelUrl}/verify-team-address`, {});
      expect(tooSoon.status).toBe(429);
      expect(tooSoon.body.error.code).toBe('rate_limited');
      expect(tooSoon.body.error.message).toMatch(new RegExp(`^A verification email went to ${address.replace(/[.]/g, '\\.')} less than a minute ago\\. .* ask for another in \\d+ seconds\\.$`));

      // A minute later (the link's row is aged instead of waiting) another may be asked for.
      const db = rig.store.deps.store.db;
      const age = (ms: number) =>
        db
          .updateTable('address_verifications')
          .set((eb) => ({ created_at: eb.val(new Date(Date.now() - ms).toISOString()) }))
          .where('channel_id', '=', owner.res.body.id)
          .execute();
      await age(61_000);
      expect((await view()).resendAfter).toBeNull();
      const second = await requestLink(owner.api, owner.res.body.id, address);
      const superseded = await confirm(first);
      expect(superseded.statusCode).toBe(409);
      expect(superseded.body).toContain('A newer verification link was sent');

      // The newest one expires unopened: the settings say so.
      await db.updateTable('address_verifications').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('channel_id', '=', owner.res.body.id).execute();
      expect((await view()).state).toBe('expired');
      expect((await confirm(second)).statusCode).toBe(409);
      await age(61_000);
      await confirm(await requestLink(owner.api, owner.res.body.id, address));
      expect(await view()).toEqual({ state: 'verified', sentAt: null, expiresAt: null, resendAfter: null });
    });

    it('lets an account send at most ten verification emails an hour', async () => {
      const acct = await makeAccount(rig.store.deps);
      const api = apiClient(rig.app, acct.token);
      const ask = (n: number) => api.post(`/channels/${acct.channel.id}/verify-from-address`, { address: `sales${n}@acme-corp.test` });
      for (let n = 0; n < 10; n++) expect((await ask(n)).status).toBe(202);
      const eleventh = await ask(10);
      expect(eleventh.status).toBe(429);
      expect(eleventh.body.error.message).toMatch(/^This account sent 10 verification emails in the last hour, the most it may\. Ask again in 60 minutes\.$/);
      // The oldest leaves the hour: one more is allowed.
      const oldest = await rig.store.deps.store.db.selectFrom('address_verifications').select('id').where('channel_id', '=', acct.channel.id).orderBy('created_at').limit(1).executeTakeFirstOrThrow();
      await rig.store.deps.store.db.updateTable('address_verifications').set({ created_at: new Date(Date.now() - 3601_000).toISOString() }).where('id', '=', oldest.id).execute();
      expect((await ask(10)).status).toBe(202);
      expect((await ask(11)).status).toBe(429);
      await rig.drain();
    });

    it('counts an address the account already verified as its custom From address as proven', async () => {
      const address = `sales@initrode-${crypto.randomBytes(3).toString('hex')}.test`;
      const acct = await makeAccount(rig.store.deps);
      await rig.store.deps.store.db
        .updateTable('email_channel_settings')
        .set({ custom_from_address: address, custom_from_verified_at: new Date().toISOString() })
        .where('channel_id', '=', acct.channel.id)
        .execute();
      const user = `box-${crypto.randomBytes(4).toString('hex')}@mail.test`;
      await dovecot.addUser(user, 'pw-123456');
      const res = await apiClient(rig.app, acct.token).post(`/inboxes/${acct.inbox.id}/channels`, { type: 'email', teamAddress: address, imap: { host: dovecot.host, port: dovecot.port, tls: false, user, password: 'pw-123456' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.email.teamAddressVerified).toBe(true);
      expect(await rcpt(address)).toMatch(/^250/);
    });
  });
}
