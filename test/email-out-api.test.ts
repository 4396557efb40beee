// Email out end to end on SQLite and PostgreSQL: replies through the API, sent by the outbox worker
// over real SMTP to a local sink, parsed with postal-mime. Each sending setting's effect on the
// delivered message, thread headers, notes, refusals, header injection, retries and failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { openOutboxRig, receive, type OutboxRig } from './helpers/email-out.ts';
import { parseCaught, rawHeader, type Caught } from './helpers/smtp-sink.ts';

for (const kind of STORE_KINDS) {
  describe(`email out [${kind}]`, () => {
    let rig: OutboxRig;
    beforeAll(async () => {
      rig = await openOutboxRig(kind);
    });
    afterAll(async () => {
      await rig?.close();
    });

    async function setup(plan: 'starter' | 'professional' | 'free' = 'professional') {
      const acct = await makeAccount(rig.store.deps, { plan });
      const deps = rig.store.deps;
      await deps.store.db.updateTable('users').set({ first_name: 'Ada', last_name: 'Lovelace' }).where('id', '=', acct.owner.id).execute();
      await deps.store.db.updateTable('email_channel_settings').set({ company_name: 'Acme' }).where('channel_id', '=', acct.channel.id).execute();
      const api = apiClient(rig.app, acct.token);
      const domain = acct.email.inbound_address.split('@')[1]!;
      return { acct, api, domain };
    }

    /** The first mail caught since index `before` that matches, waiting for more until one does. */
    async function caughtWhere(before: number, match: (c: Caught) => boolean): Promise<Caught> {
      for (let count = before + 1; ; count++) {
        const found = rig.sink.messages.slice(before).find(match);
        if (found) return found;
        await rig.sink.waitFor(count);
      }
    }

    /** Asks for a From-address verification link and returns its path and mail, caught at the relay. */
    async function requestFromLink(api: ReturnType<typeof apiClient>, channelId: string, address: string) {
      const before = rig.sink.messages.length;
      const verify = await api.post(`/channels/${channelId}/verify-from-address`, {});
      expect(verify.status, JSON.stringify(verify.body)).toBe(202);
      await rig.drain();
      const verification = await parseCaught(await caughtWhere(before, (c) => c.rcptTo.includes(address)));
      const link = /http:\/\/parley\.test:3000(\/verify-from-address\?token=[A-Za-z0-9_%-]+)/.exec(verification.text ?? '')![1]!;
      return { link, verification };
    }

    /** The Confirm button on the link's page. */
    const confirmFromLink = (link: string) =>
      rig.app.inject({ method: 'POST', url: '/verify-from-address', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${link.split('token=')[1]!}` });

    async function sendAndCatch(api: ReturnType<typeof apiClient>, conversationId: string, body: Record<string, unknown>) {
      const before = rig.sink.messages.length;
      const res = await api.post(`/conversations/${conversationId}/messages`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      await rig.drain();
      // This reply's own mail, by its Message-ID: a slower mail of an earlier test (a retry after
      // backoff) may reach the sink in between.
      const id = `<${res.body.email.messageId}>`;
      const caught = await caughtWhere(before, (c) => rawHeader(c.raw.toString('latin1').split(/\r?\n\r?\n/)[0]!, 'Message-ID').some((v) => v.includes(id)));
      return { res, caught, mail: await parseCaught(caught) };
    }

    it('replies to the contact with our Message-ID, the thread headers, the thread CC, Reply-To token and one "Re:"', async () => {
      const { acct, api, domain } = await setup();
      const convId = await receive(rig.store.deps, {
        to: acct.email.inbound_address,
        cc: ['bob@customer.test', acct.email.inbound_address],
        subject: 'Re: Re: Broken widget',
        messageId: 'first@customer.test',
        references: ['older@customer.test'],
      });
      const conversation = await rig.store.deps.store.db.selectFrom('conversations').selectAll().where('id', '=', convId).executeTakeFirstOrThrow();
      const { res, caught, mail } = await sendAndCatch(api, convId, { body: 'Thanks Grace, a new one is on its way.' });
      expect(res.body).toMatchObject({ kind: 'message', direction: 'out', deliveryStatus: 'queued' });
      const messageId: string = res.body.email.messageId;
      expect(messageId).toMatch(new RegExp(`^${convId}\\.${res.body.id}\\.[0-9a-f]{10}@${domain.replace(/\./g, '\\.')}$`));

      expect(mail.from).toEqual({ name: 'Ada Lovelace at Acme', address: `ada.lovelace@${domain}` });
      expect(mail.to).toEqual([{ name: expect.any(String), address: 'grace@customer.test' }]);
      expect(mail.cc?.map((a) => a.address)).toEqual(['bob@customer.test']);
      expect(mail.subject).toBe('Re: Broken widget');
      expect(mail.messageId).toBe(`<${messageId}>`);
      expect(mail.inReplyTo).toBe('<first@customer.test>');
      expect(mail.references).toBe('<older@customer.test> <first@customer.test>');
      expect(mail.replyTo).toEqual([{ name: '', address: `inbox+c_${conversation.reply_token}@${domain}` }]);
      expect(mail.text?.trim()).toBe('Thanks Grace, a new one is on its way.');
      expect(caught.mailFrom).toBe(acct.email.inbound_address);
      expect(caught.rcptTo.sort()).toEqual(['bob@customer.test', 'grace@customer.test']);

      const list = await api.get(`/conversations/${convId}/messages`);
      const sent = list.body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(sent).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
      expect(sent.email.from).toEqual({ name: 'Ada Lovelace at Acme', address: `ada.lovelace@${domain}` });
      // The contact's timeline says who sent it, beside the received email's entry.
      const timeline = (await api.get(`/contacts/${conversation.contact_id}/timeline`)).body.items as Array<{ kind: string; summary: string }>;
      expect(timeline.filter((t) => t.kind === 'email_sent').map((t) => t.summary)).toEqual(['Email sent by Ada Lovelace: Re: Broken widget']);
    });

    it("threads the customer's answer to a delivered reply back into the same conversation", async () => {
      const { acct, api } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address, subject: 'Order 17' });
      const { mail } = await sendAndCatch(api, convId, { body: 'Looking into it.' });
      const ours = (mail.messageId ?? '').replace(/[<>]/g, '');
      // Answer to the Reply-To address, as a mail client does.
      const back = await receive(rig.store.deps, { to: mail.replyTo![0]!.address!, subject: 'Re: Order 17', inReplyTo: ours, references: [ours], body: 'Thanks!' });
      expect(back).toBe(convId);
      // And with only References surviving (a client that drops Reply-To and In-Reply-To).
      const viaRefs = await receive(rig.store.deps, { to: acct.email.inbound_address, subject: 'something else', references: [ours], body: 'Me again' });
      expect(viaRefs).toBe(convId);
    });

    it('applies From name, company, signature (sanitised, tokens filled) and custom From address settings to the next email', async () => {
      const { acct, api, domain } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      const patch = await api.patch(`/channels/${acct.channel.id}`, {
        email: {
          fromNameMode: 'company',
          companyName: 'Acme Support',
          signatureEnabled: true,
          signatureMode: 'html',
          signatureHtml:
            '<p>Best, <b>{{agent.fullName}}</b> ({{agent.firstName}}/{{agent.lastName}})</p><script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">x</a><img src="https://cdn.test/logo.png" onerror="x()"><font face="Georgia">Acme</font>',
        },
      });
      expect(patch.status, JSON.stringify(patch.body)).toBe(200);
      const saved: string = patch.body.email.signatureHtml;
      expect(saved).not.toMatch(/script|onclick|onerror|javascript:/i);
      expect(saved).toContain('<font face="Georgia">Acme</font>');
      expect(saved).toContain('<img src="https://cdn.test/logo.png" />');

      const preview = await api.get(`/channels/${acct.channel.id}/preview`);
      expect(preview.status).toBe(200);
      expect(preview.body).toMatchObject({ fromName: 'Acme Support', fromAddress: `ada.lovelace@${domain}`, notice: null });
      const { mail } = await sendAndCatch(api, convId, { body: 'Hello' });
      expect(mail.from).toEqual({ name: preview.body.fromName, address: preview.body.fromAddress });
      expect(mail.html).toContain(preview.body.signatureHtml);
      expect(preview.body.signatureHtml).toContain('<b>Ada Lovelace</b> (Ada/Lovelace)');
      expect(mail.text).toContain('Best, Ada Lovelace (Ada/Lovelace)');

      // Custom From address: unusable until verified.
      const custom = await api.patch(`/channels/${acct.channel.id}`, { email: { fromAddressMode: 'custom', customFromAddress: 'help@acme-corp.test', signatureEnabled: false } });
      expect(custom.body.email).toMatchObject({ customFromAddress: 'help@acme-corp.test', customFromVerified: false });
      const unverified = await sendAndCatch(api, convId, { body: 'Second' });
      expect(unverified.mail.from?.address).toBe(`ada.lovelace@${domain}`);
      expect(unverified.mail.html ?? '').not.toContain('Best,');

      const { link, verification } = await requestFromLink(api, acct.channel.id, 'help@acme-corp.test');
      expect(verification.to?.[0]?.address).toBe('help@acme-corp.test');
      // It names the asking account as the link's page does, not the channel's From name ("Acme Support").
      const asking = acct.account.company_name || acct.account.name;
      expect(verification.subject).toBe(`Verify help@acme-corp.test as a From address for ${asking}`);
      expect(verification.text).toContain(`Someone on the ${asking} team asked`);
      expect((await rig.app.inject({ method: 'GET', url: link })).body).toContain(`Let ${asking} send email from help@acme-corp.test?`);
      expect(rawHeader(verification.headerBlock, 'Auto-Submitted')).toEqual(['auto-replied']);
      const token = decodeURIComponent(link.split('token=')[1]!);
      const stored = await rig.store.deps.store.db.selectFrom('address_verifications').selectAll().where('channel_id', '=', acct.channel.id).execute();
      expect(stored.some((r) => r.token_hash.includes(token))).toBe(false);
      expect(stored[0]!.expires_at > new Date(Date.now() + 23 * 3600_000).toISOString()).toBe(true);

      const confirmed = await confirmFromLink(link);
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain('help@acme-corp.test is verified');
      expect((await confirmFromLink(link)).statusCode).toBe(409);
      expect((await api.get(`/channels/${acct.channel.id}`)).body.email.customFromVerified).toBe(true);
      const verified = await sendAndCatch(api, convId, { body: 'Third' });
      expect(verified.mail.from).toEqual({ name: 'Acme Support', address: 'help@acme-corp.test' });

      // A live preview of unsaved settings, and a changed address is unverified again.
      const live = await api.post(`/channels/${acct.channel.id}/preview`, { fromNameMode: 'agent_and_company', companyName: 'Beta', customFromAddress: 'other@acme-corp.test' });
      expect(live.body).toMatchObject({ fromName: 'Ada Lovelace at Beta', fromAddress: `ada.lovelace@${domain}` });
      expect(live.body.notice).toContain('not verified');
    });

    it('confirms a From address only on the link page\'s POST: opening the link, as a mail scanner does, confirms nothing', async () => {
      const { acct, api } = await setup();
      await api.patch(`/channels/${acct.channel.id}`, { email: { fromAddressMode: 'custom', customFromAddress: 'sales@acme-corp.test' } });
      const { link } = await requestFromLink(api, acct.channel.id, 'sales@acme-corp.test');

      // The link in the mail (unchanged in format, so mails sent before still work) opens a page
      // that names who asks and posts back to the same path.
      for (let scan = 0; scan < 2; scan++) {
        const page = await rig.app.inject({ method: 'GET', url: link });
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain(`Let ${acct.account.name} send email from sales@acme-corp.test?`);
        expect(page.body).toContain('<form method="post" action="/verify-from-address">');
      }
      expect((await api.get(`/channels/${acct.channel.id}`)).body.email.customFromVerified).toBe(false);
      // A From-address token is no team-address token.
      expect((await rig.app.inject({ method: 'GET', url: link.replace('/verify-from-address', '/verify-team-address') })).statusCode).toBe(404);

      const confirmed = await confirmFromLink(link);
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.body).toContain('sales@acme-corp.test is verified');
      expect((await api.get(`/channels/${acct.channel.id}`)).body.email.customFromVerified).toBe(true);
      const used = await rig.app.inject({ method: 'GET', url: link });
      expect(used.statusCode).toBe(409);
      expect(used.body).toContain('already been used');
    });

    it('uses the free mail domain on the free plan and derives the username from the agent', async () => {
      const { acct, api } = await setup('free');
      await rig.store.deps.store.db.updateTable('users').set({ first_name: 'Zoë', last_name: "O'Brien-Smith" }).where('id', '=', acct.owner.id).execute();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      const { mail } = await sendAndCatch(api, convId, { body: 'Hi' });
      expect(mail.from?.address).toBe(`zoe.o.brien.smith@${acct.account.subdomain}.free.parley.localhost`);
    });

    it('refuses replies when "Use the Parley email for sending messages" is off, but still takes internal notes (never emailed)', async () => {
      const { acct, api } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      await api.patch(`/channels/${acct.channel.id}`, { email: { useForSending: false } });
      const refused = await api.post(`/conversations/${convId}/messages`, { body: 'Hello' });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('not_sendable');
      expect(refused.body.error.message).toContain('Use the Parley email for sending messages');
      const before = rig.sink.attempts;
      const note = await api.post(`/conversations/${convId}/messages`, { body: 'Internal: customer is VIP', kind: 'note' });
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({ kind: 'note', deliveryStatus: null, email: null });
      await rig.drain();
      expect(rig.sink.attempts).toBe(before);
      await api.patch(`/channels/${acct.channel.id}`, { email: { useForSending: true } });
      expect((await api.post(`/conversations/${convId}/messages`, { body: 'Now it works' })).status).toBe(201);
    });

    it('keeps From names unique among the account’s fallback emails (from_name_taken)', async () => {
      const { api } = await setup('professional');
      const inboxes = await api.get('/inboxes');
      const first = inboxes.body.items[0].channels[0];
      const created = await api.post('/inboxes', { name: 'Sales' });
      const second = created.body.channels[0];
      expect((await api.patch(`/channels/${first.id}`, { email: { fromNameMode: 'company', companyName: 'Acme Sales' } })).status).toBe(200);
      const clash = await api.patch(`/channels/${second.id}`, { email: { fromNameMode: 'company', companyName: 'acme sales' } });
      expect(clash.status).toBe(409);
      expect(clash.body.error).toMatchObject({ code: 'from_name_taken', field: 'email.companyName' });
      expect((await api.patch(`/channels/${second.id}`, { email: { fromNameMode: 'company', companyName: 'Acme Sales EMEA' } })).status).toBe(200);
    });

    it('gives a new inbox’s fallback email a From name of its own, and saving a form that repeats the current From name never fails on it', async () => {
      const { acct, api } = await setup('professional');
      // The default inbox's fallback email is "Acme" (setup); the account's company is Globex.
      await rig.store.deps.store.db.updateTable('accounts').set({ company_name: 'Globex' }).where('id', '=', acct.account.id).execute();
      const support = (await api.post('/inboxes', { name: 'Support' })).body.channels[0];
      const sales = (await api.post('/inboxes', { name: 'Sales' })).body.channels[0];
      expect((await api.patch(`/channels/${sales.id}`, { email: { companyName: 'Globex Billing' } })).status).toBe(200);
      const billing = (await api.post('/inboxes', { name: 'Billing' })).body.channels[0];
      expect([support.email.companyName, sales.email.companyName, billing.email.companyName]).toEqual(['Globex', 'Globex Sales', 'Globex Billing 2']);
      expect(support.email.fromNameMode).toBe('agent_and_company');

      // The Configuration tab saves every field: repeating the current From name is no clash,
      // even where two fallback emails already share one (as inboxes made before this rule did).
      await rig.store.deps.store.db.updateTable('email_channel_settings').set({ company_name: '' }).where('channel_id', 'in', [support.id, sales.id]).execute();
      const save = await api.patch(`/channels/${support.id}`, { email: { fromNameMode: 'agent_and_company', companyName: '', originalSenderOfForwards: false } });
      expect(save.status, JSON.stringify(save.body)).toBe(200);
      expect(save.body.email.originalSenderOfForwards).toBe(false);
      // Changing it onto a name in use still is.
      const clash = await api.patch(`/channels/${support.id}`, { email: { fromNameMode: 'agent_and_company', companyName: 'Acme' } });
      expect(clash.status).toBe(409);
      expect(clash.body.error.code).toBe('from_name_taken');
    });

    it('never lets CR/LF or quoted local parts into headers or routing', async () => {
      const { acct, api, domain } = await setup();
      const crlf = await api.patch(`/channels/${acct.channel.id}`, { email: { companyName: 'Acme\r\nBcc: victim@evil.test' } });
      expect(crlf.status).toBe(400);
      expect(crlf.body.error.field).toBe('email.companyName');
      const quoted = await api.patch(`/channels/${acct.channel.id}`, { email: { fromAddressMode: 'custom', customFromAddress: '"a@evil.test"@acme-corp.test' } });
      expect(quoted.status).toBe(400);

      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address, subject: 'Hello' });
      const badCc = await api.post(`/conversations/${convId}/messages`, { body: 'x', cc: [{ address: `"victim@evil.test"@${domain}` }] });
      expect(badCc.status).toBe(400);
      expect(badCc.body.error.field).toBe('cc.0');

      // Values already in the database (a name, an inbound subject) are made header-safe on the way out.
      await rig.store.deps.store.db.updateTable('users').set({ first_name: 'Eve\r\nBcc: victim@evil.test\r\n' }).where('id', '=', acct.owner.id).execute();
      await rig.store.deps.store.db.updateTable('conversations').set({ subject: 'Hi\r\nX-Injected: yes\nBcc: victim@evil.test' }).where('id', '=', convId).execute();
      const { caught, mail } = await sendAndCatch(api, convId, { body: 'Safe', cc: [] });
      expect(rawHeader(mail.headerBlock, 'X-Injected')).toEqual([]);
      expect(rawHeader(mail.headerBlock, 'Bcc')).toEqual([]);
      expect(caught.rcptTo).toEqual(['grace@customer.test']);
      expect(mail.subject).toBe('Re: Hi X-Injected: yes Bcc: victim@evil.test');
      expect(mail.from?.name).toBe('Eve Bcc: victim@evil.test Lovelace at Acme');
    });

    it('sends attachments from their bytes only', async () => {
      const { acct, api } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      const { res, mail } = await sendAndCatch(api, convId, {
        body: 'See attached',
        attachments: [{ filename: '../../etc/passwd', contentType: 'text/plain', contentBase64: Buffer.from('invoice 42').toString('base64') }],
      });
      expect(res.body.attachments).toHaveLength(1);
      expect(mail.attachments).toHaveLength(1);
      expect(Buffer.from(mail.attachments[0]!.content as ArrayBuffer).toString()).toBe('invoice 42');
      // nodemailer's file and URL sources cannot be asked for: only bytes are accepted.
      for (const source of [{ path: '/etc/passwd' }, { href: 'http://127.0.0.1:1/x' }]) {
        const refused = await api.post(`/conversations/${convId}/messages`, { body: 'x', attachments: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: 'eA==', ...source }] });
        expect(refused.status).toBe(400);
      }
    });

    it('retries a 451 on the backoff schedule and sends once on the 250', async () => {
      const { acct, api } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      rig.sink.setScript([451]);
      const before = rig.sink.messages.length;
      const attempts = rig.sink.attempts;
      const res = await api.post(`/conversations/${convId}/messages`, { body: 'Retry me' });
      await rig.drain();
      expect(rig.sink.attempts).toBe(attempts + 1);
      const waiting = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(waiting.deliveryStatus).toBe('queued');
      expect(waiting.deliveryError).toContain('451');
      // Not due before the first backoff step (1 minute)...
      await rig.drain();
      expect(rig.sink.attempts).toBe(attempts + 1);
      rig.advance(61_000);
      await rig.drain();
      await rig.sink.waitFor(before + 1);
      expect(rig.sink.messages.filter((m) => m.raw.toString().includes(res.body.email.messageId))).toHaveLength(1);
      const sent = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(sent).toMatchObject({ deliveryStatus: 'sent', deliveryError: null });
    });

    it('fails a 550 at once with the relay’s reply, and Retry sends it again', async () => {
      const { acct, api } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      rig.sink.setScript([550]);
      const attempts = rig.sink.attempts;
      const res = await api.post(`/conversations/${convId}/messages`, { body: 'Doomed' });
      await rig.drain();
      rig.advance(3600_000);
      await rig.drain();
      expect(rig.sink.attempts).toBe(attempts + 1);
      const failed = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(failed.deliveryStatus).toBe('failed');
      expect(failed.deliveryError).toContain('550 5.1.1 Mailbox unavailable');
      const retry = await api.post(`/messages/${res.body.id}/retry`, {});
      expect(retry.status).toBe(200);
      expect(retry.body.deliveryStatus).toBe('queued');
      await rig.drain();
      const sent = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
      expect(sent.deliveryStatus).toBe('sent');
      expect((await api.post(`/messages/${res.body.id}/retry`, {})).status).toBe(409);
    });

    it('keeps the message queued with a visible reason while no relay is configured', async () => {
      const { acct, api } = await setup();
      const convId = await receive(rig.store.deps, { to: acct.email.inbound_address });
      const config = rig.store.deps.config;
      const url = config.smtpRelayUrl;
      config.smtpRelayUrl = undefined;
      try {
        const res = await api.post(`/conversations/${convId}/messages`, { body: 'Waiting' });
        await rig.drain();
        rig.advance(7 * 3600_000);
        await rig.drain();
        const waiting = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
        expect(waiting).toMatchObject({ deliveryStatus: 'queued', deliveryError: 'No outbound relay is configured (SMTP_RELAY_URL)' });
        config.smtpRelayUrl = url;
        rig.advance(61_000);
        await rig.drain();
        const sent = (await api.get(`/conversations/${convId}/messages`)).body.items.find((m: { id: string }) => m.id === res.body.id);
        expect(sent.deliveryStatus).toBe('sent');
      } finally {
        config.smtpRelayUrl = url;
      }
    });

    it('refuses replies from view-only admins with 403 view_only', async () => {
      const { acct } = await setup();
      const deps = rig.store.deps;
      const convId = await receive(deps, { to: acct.email.inbound_address });
      const { createUser } = await import('../src/server/core/create-user.ts');
      const { issueApiToken } = await import('../src/server/core/api-tokens.ts');
      const token = await deps.run({ kind: 'system', accountId: acct.account.id, reason: 'test' }, async (ctx) => {
        const user = await createUser(ctx, { accountId: acct.account.id, email: `viewer-${acct.account.subdomain}@x.test`, role: 'admin', seat: 'paid', teamIds: [] });
        return (await issueApiToken(ctx, { user, name: 't' })).token;
      });
      await deps.store.db.updateTable('inboxes').set({ access: 'specific' }).where('id', '=', acct.inbox.id).execute();
      const res = await apiClient(rig.app, token).post(`/conversations/${convId}/messages`, { body: 'Hi' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('view_only');
    });
  });
}
