// Email in over real SMTP on both stores: RCPT answers, size and recipient limits, smuggling
// probes, timeouts, threading, dedupe, concurrency, forwards, bounces, loops, reopen, and the
// raw/attachment downloads, all read back through the API.
import { expect, it } from 'vitest';
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { startSmtpReceiver } from '../src/server/mail/smtp-in.ts';
import { crlf, rawSmtp, sendRaw, apiAndReceiver } from './email-in-support.ts';

let seq = 0;
const mid = (tag: string) => `${tag}.${Date.now()}.${seq++}@customer.example`;

function eml(o: { from?: string; to: string; subject?: string; messageId?: string | null; inReplyTo?: string; references?: string; cc?: string; extra?: string; body?: string }): Buffer {
  const lines = [
    `From: ${o.from ?? 'Ann Customer <ann@customer.example>'}`,
    `To: ${o.to}`,
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject ?? 'Hello'}`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0000',
    ...(o.messageId === null ? [] : [`Message-ID: <${o.messageId ?? mid('m')}>`]),
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.references ? [`References: ${o.references}`] : []),
    ...(o.extra ? [o.extra] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? 'Hi, I need help with my order.',
    '',
  ];
  return crlf(lines.join('\n'));
}

describeEachStore('email in over SMTP', (store) => {
  const live = apiAndReceiver(store);

  // 250 means "durably spooled"; the processor makes the conversation right after.
  const send = async (to: string[], data: Buffer, from = 'ann@customer.example') => {
    const r = await sendRaw(live.smtp.port, { from, to, data });
    await live.smtp.settled();
    return r;
  };

  async function conversations(token: string) {
    return (await apiClient(live.app, token).get('/conversations?limit=100')).body.items as any[];
  }
  async function messages(token: string, conversationId: string) {
    return (await apiClient(live.app, token).get(`/conversations/${conversationId}/messages?limit=100`)).body.items as any[];
  }

  it('stores a message sent with nodemailer and shows it through the API, with contact, headers and downloads', async () => {
    const acct = await makeAccount(store().deps);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: live.smtp.port, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({
      from: 'Ann Customer <Ann@Customer.Example>',
      to: acct.email.inbound_address,
      cc: 'Bob <bob@customer.example>',
      subject: 'Where is my order? ✓',
      text: 'Hello, order 42 has not arrived.',
      html: '<p>Hello, <b>order 42</b> has not arrived.<script>alert(1)</script></p><img src="cid:logo@x">',
      attachments: [
        { filename: '../../etc/passwd', content: 'root:x:0:0' },
        { filename: 'logo.png', content: Buffer.from('89504e470d0a1a0a', 'hex'), cid: 'logo@x' },
      ],
    });
    expect(info.response).toMatch(/^250 2\.0\.0 Queued as /);
    await live.smtp.settled();
    const list = await conversations(acct.token);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ subject: 'Where is my order? ✓', status: 'open', number: 1, contact: { email: 'ann@customer.example', name: 'Ann Customer' } });
    expect(list[0].preview).toContain('order 42 has not arrived');
    const [m] = await messages(acct.token, list[0].id);
    expect(m.direction).toBe('in');
    expect(m.authorUserId).toBeNull();
    expect(m.text).toContain('order 42');
    expect(m.html).toContain('<b>order 42</b>');
    expect(m.html).not.toContain('script');
    expect(m.email).toMatchObject({ messageId: info.messageId.replace(/[<>]/g, ''), from: { address: 'ann@customer.example' }, cc: [{ address: 'bob@customer.example', name: 'Bob' }] });
    expect(m.email.to[0].address).toBe(acct.email.inbound_address);
    expect(m.email.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(m.parseError).toBeNull();
    expect(m.hasRaw).toBe(true);
    const passwd = m.attachments.find((a: any) => a.filename === 'passwd');
    expect(passwd).toMatchObject({ size: 10, contentType: 'application/octet-stream' });
    const logo = m.attachments.find((a: any) => a.contentId === 'logo@x');
    expect(logo).toBeTruthy();
    expect(m.html).toContain(`/api/v1/attachments/${logo.id}`);

    const api = apiClient(live.app, acct.token);
    const file = await api.get(passwd.url);
    expect(file.status).toBe(200);
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="passwd"/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(String(file.body)).toBe('root:x:0:0');
    const raw = await api.get(`/messages/${m.id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-disposition']).toMatch(/^attachment; filename="message-.*\.eml"/);
    expect(String(raw.body)).toContain('Subject: =?UTF-8?');
    // Another account cannot read either.
    const other = await makeAccount(store().deps);
    expect((await apiClient(live.app, other.token).get(passwd.url)).status).toBe(404);
    expect((await apiClient(live.app, other.token).get(`/messages/${m.id}/raw`)).status).toBe(404);
    // The contact's timeline has the email.
    const timeline = await api.get(`/contacts/${list[0].contact.id}/timeline`);
    if (timeline.status === 200) expect(timeline.body.items.some((t: any) => t.kind === 'email_received')).toBe(true);
    const rows = await store().deps.store.db.selectFrom('timeline_entries').selectAll().where('contact_id', '=', list[0].contact.id).execute();
    expect(rows.map((r) => r.kind)).toEqual(['email_received']);
  });

  it('answers RCPT precisely: unknown 550 5.1.1, +tag accepted, turned-off channel 550 5.2.1 until turned on', async () => {
    const acct = await makeAccount(store().deps);
    const [local, domain] = acct.email.inbound_address.split('@');
    const c = await rawSmtp(live.smtp.port);
    await c.reply();
    const ehlo = await c.command('EHLO probe.test');
    expect(ehlo).toMatch(/SIZE \d+/);
    expect(await c.command('MAIL FROM:<x@customer.example>')).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<nobody@${domain}>`)).toMatch(/^550 5\.1\.1 /);
    expect(await c.command(`RCPT TO:<${local}+orders@${domain}>`)).toMatch(/^250/);
    expect(await c.command(`RCPT TO:<${acct.email.forwarding_address.toUpperCase()}>`)).toMatch(/^250/);
    c.close();

    const api = apiClient(live.app, acct.token);
    expect((await api.patch(`/channels/${acct.channel.id}`, { enabled: false })).status).toBe(200);
    const off = await send([acct.email.inbound_address], eml({ to: acct.email.inbound_address }));
    expect(off.final).toMatch(/^550 5\.2\.1 .*turned off/);
    expect(await conversations(acct.token)).toHaveLength(0);
    expect((await api.patch(`/channels/${acct.channel.id}`, { enabled: true })).status).toBe(200);
    const on = await send([acct.email.inbound_address], eml({ to: acct.email.inbound_address }));
    expect(on.final).toMatch(/^250 /);
    expect(await conversations(acct.token)).toHaveLength(1);
  });

  it('accepts postmaster (RFC 5321 §4.5.1) at each account domain and for the installation, each as its own conversation', async () => {
    const acct = await makeAccount(store().deps);
    const free = await makeAccount(store().deps, { plan: 'free' });
    const { mailDomain, freeMailDomain } = store().deps.domains;
    const acctDomain = acct.email.inbound_address.split('@')[1]!;
    const freeDomain = free.email.inbound_address.split('@')[1]!;
    for (const [to, subject] of [
      [`PostMaster@${acctDomain}`, 'pm paid'],
      [`postmaster@${freeDomain}`, 'pm free'],
      // The quoted form is the same mailbox.
      [`"postmaster"@${acctDomain}`, 'pm quoted'],
    ] as const) {
      const r = await send([to], eml({ to, subject }));
      expect(r.final).toMatch(/^250 /);
    }
    expect((await conversations(acct.token)).map((c) => c.subject).sort()).toEqual(['pm paid', 'pm quoted']);
    expect((await conversations(free.token)).map((c) => c.subject)).toEqual(['pm free']);
    // A free account's subdomain under the paid domain (and the reverse) is nobody's.
    expect((await sendRaw(live.smtp.port, { from: 'a@b.example', to: [`postmaster@${free.account.subdomain}.${mailDomain}`], data: eml({ to: 'x' }) })).final).toMatch(/^550 5\.1\.1/);
    expect((await sendRaw(live.smtp.port, { from: 'a@b.example', to: [`postmaster@nobody-here.${mailDomain}`], data: eml({ to: 'x' }) })).final).toMatch(/^550 5\.1\.1/);

    // The installation's postmaster: the first super admin's account, in its default inbox.
    const db = store().deps.store.db;
    const first = await db.selectFrom('users').select('account_id').where('role', '=', 'super_admin').orderBy('created_at').orderBy('id').limit(1).executeTakeFirstOrThrow();
    const defaultInbox = await db.selectFrom('inboxes').select('id').where('account_id', '=', first.account_id).where('is_default', '=', 1).executeTakeFirstOrThrow();
    const tag = mid('installation');
    for (const to of ['postmaster', `postmaster@${mailDomain}`, `Postmaster@${freeMailDomain}`]) {
      const r = await send([to], eml({ to: to.includes('@') ? to : `${to}@${mailDomain}`, subject: `${tag} ${to}` }));
      expect(r.final).toMatch(/^250 /);
    }
    const landed = await db.selectFrom('conversations').select('subject').where('inbox_id', '=', defaultInbox.id).where('subject', 'like', `${tag}%`).execute();
    expect(landed.map((c) => c.subject).sort()).toEqual([`${tag} Postmaster@${freeMailDomain}`, `${tag} postmaster`, `${tag} postmaster@${mailDomain}`].sort());
  });

  it('takes postmaster mail through a channel of the default inbox that is on while the fallback email is off, and still accepts it when none is', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const api = apiClient(live.app, acct.token);
    const to = `postmaster@${acct.email.inbound_address.split('@')[1]}`;
    const db = deps.store.db;
    // A connected team address in the default inbox (its mailbox details do not matter here).
    const teamChannelId = crypto.randomUUID();
    await db.insertInto('channels').values({ id: teamChannelId, account_id: acct.account.id, inbox_id: acct.inbox.id, type: 'email', name: 'Team email', enabled: 1, status: 'ok', status_detail: null, created_at: new Date().toISOString() }).execute();
    const fallbackSettings = await db.selectFrom('email_channel_settings').selectAll().where('channel_id', '=', acct.channel.id).executeTakeFirstOrThrow();
    const team = `team-${acct.account.subdomain}@customer-domain.example`;
    await db
      .insertInto('email_channel_settings')
      .values({ ...fallbackSettings, channel_id: teamChannelId, is_fallback: 0, inbound_address: team, team_address: team, forwarding_address: `fwd-${teamChannelId.slice(0, 8)}@${acct.email.inbound_address.split('@')[1]}` })
      .execute();
    expect((await api.patch(`/channels/${acct.channel.id}`, { enabled: false })).status).toBe(200);
    const channelOf = async (subject: string) => (await db.selectFrom('conversations').select('channel_id').where('account_id', '=', acct.account.id).where('subject', '=', subject).executeTakeFirstOrThrow()).channel_id;

    expect((await send([to], eml({ to, subject: 'pm via team' }))).final).toMatch(/^250 /);
    expect(await channelOf('pm via team')).toBe(teamChannelId);
    // Every channel off: still accepted (RFC 5321 §4.5.1), through the fallback.
    expect((await api.patch(`/channels/${teamChannelId}`, { enabled: false })).status).toBe(200);
    expect((await send([to], eml({ to, subject: 'pm all off' }))).final).toMatch(/^250 /);
    expect(await channelOf('pm all off')).toBe(acct.channel.id);
  });

  it("accepts mail to an agent's default From address into the default inbox, threaded there, and refuses other names", async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const domain = acct.email.inbound_address.split('@')[1]!;
    await deps.store.db.updateTable('users').set({ first_name: 'Zoë', last_name: 'Quinn' }).where('id', '=', acct.owner.id).execute();
    // A reply Zoë sent from the default inbox: its From is zoe.quinn@ the account's domain.
    const first = await send([acct.email.inbound_address], eml({ to: acct.email.inbound_address, subject: 'Where is my order?', messageId: mid('order') }));
    expect(first.final).toMatch(/^250 /);
    const [conversation] = await conversations(acct.token);
    const reply = await apiClient(live.app, acct.token).post(`/conversations/${conversation.id}/messages`, { body: 'It ships today.' });
    expect(reply.status).toBe(201);
    // The customer's client ignores Reply-To and answers the From address.
    const answer = await send(
      [`Zoe.Quinn@${domain}`],
      eml({ to: `zoe.quinn@${domain}`, subject: 'Re: Where is my order?', inReplyTo: `<${reply.body.email.messageId}>`, body: 'Thanks!' }),
    );
    expect(answer.final).toMatch(/^250 /);
    expect(await conversations(acct.token)).toHaveLength(1);
    expect((await messages(acct.token, conversation.id)).map((m) => m.text?.trim()).filter(Boolean)).toContain('Thanks!');
    // Written to fresh, it starts a conversation in the default inbox; any other name is unknown.
    expect((await send([`zoe.quinn@${domain}`], eml({ to: `zoe.quinn@${domain}`, subject: 'A new question' }))).final).toMatch(/^250 /);
    expect((await conversations(acct.token)).map((c) => c.subject).sort()).toEqual(['A new question', 'Where is my order?']);
    expect((await sendRaw(live.smtp.port, { from: 'a@b.example', to: [`zoe.smith@${domain}`], data: eml({ to: 'x' }) })).final).toMatch(/^550 5\.1\.1/);
    // It follows the default inbox's fallback email when that is turned off.
    expect((await apiClient(live.app, acct.token).patch(`/channels/${acct.channel.id}`, { enabled: false })).status).toBe(200);
    expect((await sendRaw(live.smtp.port, { from: 'a@b.example', to: [`zoe.quinn@${domain}`], data: eml({ to: 'x' }) })).final).toMatch(/^550 5\.2\.1/);
  });

  it("files a reply to an agent's From address in the inbox its conversation lives in, and only for messages we sent", async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const api = apiClient(live.app, acct.token);
    const domain = acct.email.inbound_address.split('@')[1]!;
    await deps.store.db.updateTable('users').set({ first_name: 'Zoë', last_name: 'Quinn' }).where('id', '=', acct.owner.id).execute();
    const sales = (await api.post('/inboxes', { name: 'Sales' })).body;
    const salesAddress: string = sales.channels[0].email.inboundAddress;
    expect((await send([salesAddress], eml({ to: salesAddress, subject: 'Quote please', messageId: mid('quote') }))).final).toMatch(/^250 /);
    const [asked] = await conversations(acct.token);
    expect(asked.inboxId).toBe(sales.id);
    const reply = await api.post(`/conversations/${asked.id}/messages`, { body: 'Here is the quote.' });
    expect(reply.status).toBe(201);

    // Answered to Zoë's From address, by In-Reply-To and by References alone.
    const byInReplyTo = await send([`zoe.quinn@${domain}`], eml({ to: `zoe.quinn@${domain}`, subject: 'Re: Quote please', inReplyTo: `<${reply.body.email.messageId}>`, body: 'Accepted.' }));
    expect(byInReplyTo.final).toMatch(/^250 /);
    const byReferences = await send([`zoe.quinn@${domain}`], eml({ to: `zoe.quinn@${domain}`, subject: 'Re: Quote please', references: `<${mid('elsewhere')}> <${reply.body.email.messageId}>`, body: 'And one more thing.' }));
    expect(byReferences.final).toMatch(/^250 /);
    expect(await conversations(acct.token)).toHaveLength(1);
    const texts = (await messages(acct.token, asked.id)).map((m) => m.text?.trim());
    expect(texts).toEqual(expect.arrayContaining(['Accepted.', 'And one more thing.']));

    // Naming the customer's own message (not one we sent) moves nothing: a new conversation in the default inbox.
    const spoof = await send([`zoe.quinn@${domain}`], eml({ to: `zoe.quinn@${domain}`, subject: 'Re: Quote please', inReplyTo: `<${mid('quote')}>`, body: 'Not ours.' }));
    expect(spoof.final).toMatch(/^250 /);
    const all = await conversations(acct.token);
    expect(all).toHaveLength(2);
    expect(all.find((c) => c.id !== asked.id)?.inboxId).toBe(acct.inbox.id);
  });

  it('refuses recipients beyond the limit with 452 4.5.3 and oversized messages with 552', async () => {
    const acct = await makeAccount(store().deps);
    const c = await rawSmtp(live.smtp.port);
    await c.reply();
    await c.command('EHLO probe.test');
    await c.command('MAIL FROM:<x@customer.example>');
    const answers: string[] = [];
    const [local, domain] = acct.email.inbound_address.split('@');
    for (let i = 0; i < 101; i++) answers.push(await c.command(`RCPT TO:<${local}+r${i}@${domain}>`));
    expect(answers.slice(0, 100).every((a) => a.startsWith('250'))).toBe(true);
    expect(answers[100]).toMatch(/^452 4\.5\.3 /);
    c.close();

    const big = await store().deps.config.smtpMaxMessageBytes;
    const c2 = await rawSmtp(live.smtp.port);
    await c2.reply();
    await c2.command('EHLO probe.test');
    expect(await c2.command(`MAIL FROM:<x@customer.example> SIZE=${big + 1}`)).toMatch(/^552/);
    c2.close();
  });

  it('never splits one message into two on SMTP smuggling probes', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const smuggled = `MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<${to}>\r\nDATA\r\nFrom: ceo@customer.example\r\nSubject: smuggled\r\n\r\nI am smuggled\r\n`;
    for (const sep of ['\n.\n', '\r\n.\n', '\n.\r\n', '\r.\r\n', '\r\n\x00.\r\n']) {
      const c = await rawSmtp(live.smtp.port);
      await c.reply();
      await c.command('EHLO probe.test');
      await c.command('MAIL FROM:<ann@customer.example>');
      await c.command(`RCPT TO:<${to}>`);
      expect(await c.command('DATA')).toMatch(/^354/);
      c.write(`From: ann@customer.example\r\nTo: ${to}\r\nSubject: probe ${JSON.stringify(sep)}\r\nMessage-ID: <${mid('smuggle')}>\r\n\r\nbefore${sep}${smuggled}`);
      c.write('\r\n.\r\n');
      expect(await c.reply()).toMatch(/^250 /);
      c.write('QUIT\r\n');
      c.close();
    }
    await live.smtp.settled();
    const list = await conversations(acct.token);
    expect(list).toHaveLength(5);
    expect(list.every((cv) => cv.subject.startsWith('probe'))).toBe(true);
    for (const cv of list) {
      const ms = await messages(acct.token, cv.id);
      expect(ms).toHaveLength(1);
      expect(ms[0].text).toContain('I am smuggled');
    }
  });

  it('cuts idle clients off by timeout while the API keeps answering', async () => {
    // A receiver of its own with short limits, so slow ingest elsewhere never trips them.
    const strict = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', socketTimeoutMs: 1000 });
    try {
      const c = await rawSmtp(strict.port);
      expect(await c.reply()).toMatch(/^220/);
      await c.command('EHLO idle.test');
      const started = Date.now();
      expect((await apiClient(live.app).get('/healthz')).status).toBe(200);
      await c.closed;
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await strict.stop();
    }
  });

  it('cuts off a client that trickles bytes to dodge the idle timeout', async () => {
    const strict = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', socketTimeoutMs: 1000, sessionTimeoutMs: 3000 });
    try {
      const c = await rawSmtp(strict.port);
      await c.reply();
      await c.command('EHLO slow.test');
      let sent = 0;
      const drip = setInterval(() => {
        c.write('N');
        sent++;
      }, 300);
      await c.closed;
      clearInterval(drip);
      // More drips than the idle limit alone would ever end: the session cap ended it.
      expect(sent).toBeGreaterThan(5);
      expect((await apiClient(live.app).get('/healthz')).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });

  it('limits the connections one IP may hold with 421 4.7.0, freeing a slot when one closes', async () => {
    const strict = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', maxConnectionsPerIp: 3 });
    const open: Awaited<ReturnType<typeof rawSmtp>>[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const c = await rawSmtp(strict.port);
        expect(await c.reply()).toMatch(/^220 /);
        open.push(c);
      }
      const refused = await rawSmtp(strict.port);
      expect(await refused.reply()).toBe('421 4.7.0 Too many connections from your address');
      await refused.closed;
      open.shift()!.close();
      await new Promise((r) => setTimeout(r, 100));
      const again = await rawSmtp(strict.port);
      open.push(again);
      expect(await again.reply()).toMatch(/^220 /);
    } finally {
      for (const c of open) c.close();
      await strict.stop();
    }
  });

  it('allows the default 50 connections from one IP (the benchmark uses 20), and of 60 opened at once refuses exactly 10', async () => {
    expect(store().deps.config.smtpMaxConnectionsPerIp).toBe(50);
    const open = await Promise.all(Array.from({ length: 60 }, () => rawSmtp(live.smtp.port)));
    try {
      const greetings = await Promise.all(open.map((c) => c.reply()));
      expect(greetings.filter((g) => g.startsWith('220 '))).toHaveLength(50);
      expect(greetings.filter((g) => g === '421 4.7.0 Too many connections from your address')).toHaveLength(10);
    } finally {
      for (const c of open) c.close();
    }
  });

  it('cuts a connection that has delivered nothing sooner than one that has', async () => {
    const acct = await makeAccount(store().deps);
    const strict = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', firstMessageTimeoutMs: 1500, sessionTimeoutMs: 60_000 });
    try {
      const idler = await rawSmtp(strict.port);
      const sender = await rawSmtp(strict.port);
      for (const c of [idler, sender]) {
        await c.reply();
        await c.command('EHLO limits.test');
      }
      expect(await sender.command('MAIL FROM:<ann@customer.example>')).toMatch(/^250/);
      expect(await sender.command(`RCPT TO:<${acct.email.inbound_address}>`)).toMatch(/^250/);
      expect(await sender.command('DATA')).toMatch(/^354/);
      sender.write(eml({ to: acct.email.inbound_address }));
      expect(await sender.command('.')).toMatch(/^250 /);
      const started = Date.now();
      await idler.closed;
      expect(Date.now() - started).toBeLessThan(3000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await sender.command('NOOP')).toMatch(/^250/);
      sender.close();
      await strict.settled();
    } finally {
      await strict.stop();
    }
  });

  it('threads by reply token, In-Reply-To and References, and our Message-ID pattern, never by subject, within the inbox', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const first = mid('first');
    await send([to], eml({ to, subject: 'Order 42', messageId: first }));
    const [conv] = await conversations(acct.token);
    const row = await store().deps.store.db.selectFrom('conversations').selectAll().where('id', '=', conv.id).executeTakeFirstOrThrow();
    const [local, domain] = to.split('@');

    // Reply token in the recipient address, even with no headers to go by.
    await send([`${local}+c_${row.reply_token}@${domain}`], eml({ to: `${local}+c_${row.reply_token}@${domain}`, subject: 'something else' }));
    // In-Reply-To.
    const second = mid('second');
    await send([to], eml({ to, subject: 'Re: Order 42', messageId: second, inReplyTo: first }));
    // References only (oldest first; the newest known wins).
    await send([to], eml({ to, subject: 'Re: Re: Order 42', references: `<unknown@x> <${first}> <${second}>` }));
    // Our own Message-ID pattern for a reply to an outbound message whose row we cannot match by id.
    await send([to], eml({ to, subject: 'Re: your reply', inReplyTo: `${conv.id}.abc123@${domain}` }));
    expect(await messages(acct.token, conv.id)).toHaveLength(5);

    // The same subject alone starts a new conversation.
    await send([to], eml({ to, subject: 'Order 42' }));
    // Another account's message ids and tokens never reach into this inbox.
    const other = await makeAccount(store().deps);
    await send([other.email.inbound_address], eml({ to: other.email.inbound_address, subject: 'Re: Order 42', inReplyTo: first }));
    const oLocal = other.email.inbound_address.split('@')[0];
    await send([`${oLocal}+c_${row.reply_token}@${other.email.inbound_address.split('@')[1]}`], eml({ to: other.email.inbound_address, subject: 'token from elsewhere' }));
    expect(await conversations(acct.token)).toHaveLength(2);
    expect(await conversations(other.token)).toHaveLength(2);
    expect(await messages(acct.token, conv.id)).toHaveLength(5);
  });

  it('stores the same message once: retried, or sent to two of the inbox addresses; synthetic Message-ID when missing', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const data = eml({ to, messageId: null, subject: 'No id here' });
    expect((await send([to], data)).final).toMatch(/^250/);
    // A relay retry adds a Received line; still the same message.
    expect((await send([to], Buffer.concat([Buffer.from('Received: from relay.example by mx; Mon, 30 Nov 2026 10:00:01 +0000\r\n'), data]))).final).toMatch(/^250/);
    expect((await send([to, acct.email.forwarding_address], data)).final).toMatch(/^250/);
    const list = await conversations(acct.token);
    expect(list).toHaveLength(1);
    const ms = await messages(acct.token, list[0].id);
    expect(ms).toHaveLength(1);
    expect(ms[0].email.messageId).toMatch(/^[0-9a-f]{40}@synthetic\.parley\.invalid$/);
  });

  it('stores and threads a hostile 3,000-character Message-ID', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const huge = `${'z'.repeat(3000)}@evil.example`;
    expect((await send([to], eml({ to, subject: 'Huge id', messageId: huge }))).final).toMatch(/^250 /);
    expect((await send([to], eml({ to, subject: 'Re: Huge id', inReplyTo: huge }))).final).toMatch(/^250 /);
    const list = await conversations(acct.token);
    expect(list).toHaveLength(1);
    expect(await messages(acct.token, list[0].id)).toHaveLength(2);
  });

  it('makes one conversation of a new thread whose messages arrive at the same moment', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const root = mid('root');
    const burst = [
      eml({ to, subject: 'Burst', messageId: root }),
      eml({ to, subject: 'Re: Burst', messageId: mid('r1'), inReplyTo: root, references: `<${root}>` }),
      eml({ to, subject: 'Re: Burst', messageId: mid('r2'), inReplyTo: root, references: `<${root}>` }),
    ];
    const dup = eml({ to, subject: 'Same twice', messageId: mid('dup') });
    const results = await Promise.all([...burst.map((d) => send([to], d)), send([to], dup), send([to], dup), send([to], dup)]);
    expect(results.every((r) => r.final.startsWith('250'))).toBe(true);
    const list = await conversations(acct.token);
    const dupConvs = list.filter((c) => c.subject === 'Same twice');
    expect(dupConvs).toHaveLength(1);
    expect(await messages(acct.token, dupConvs[0].id)).toHaveLength(1);
    // Whichever landed first, the root and both replies are one conversation.
    const burstConvs = list.filter((c) => c.subject !== 'Same twice');
    expect(burstConvs).toHaveLength(1);
    expect(await messages(acct.token, burstConvs[0].id)).toHaveLength(3);
  });

  it('joins a message to the conversation its reply started when the reply arrived first', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const root = mid('late-root');
    await send([to], eml({ to, subject: 'Re: Late', messageId: mid('early-reply'), inReplyTo: root, references: `<${root}>` }));
    await send([to], eml({ to, subject: 'Late', messageId: root }));
    const list = await conversations(acct.token);
    expect(list).toHaveLength(1);
    expect(await messages(acct.token, list[0].id)).toHaveLength(2);
  });

  it('logs forwards to the original sender with the original CC, or to the forwarder when the setting is off', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.forwarding_address;
    const fwd = (subject: string) =>
      eml({
        from: 'Agent Alice <alice@acme-team.example>',
        to,
        cc: 'teammate@acme-team.example',
        subject,
        body: 'FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Carol Client <Carol@Client.example>\nDate: Mon, 30 Nov 2026 at 09:00\nSubject: Broken invoice\nTo: Alice <alice@acme-team.example>\nCc: Dan <dan@client.example>\n\nMy invoice is wrong.\n',
      });
    await send([to], fwd('Fwd: Broken invoice'));
    let list = await conversations(acct.token);
    expect(list[0].contact.email).toBe('carol@client.example');
    let [m] = await messages(acct.token, list[0].id);
    expect(m.email.cc).toEqual([{ name: 'Dan', address: 'dan@client.example' }]);
    expect(m.authorContactId).toBe(list[0].contact.id);

    await apiClient(live.app, acct.token).patch(`/channels/${acct.channel.id}`, { email: { originalSenderOfForwards: false } });
    await send([to], fwd('Fwd: Broken invoice again'));
    list = await conversations(acct.token);
    const second = list.find((c) => c.subject === 'Fwd: Broken invoice again');
    expect(second.contact.email).toBe('alice@acme-team.example');
    [m] = await messages(acct.token, second.id);
    expect(m.email.cc).toEqual([{ name: '', address: 'teammate@acme-team.example' }]);
  });

  it('marks auto-replies and mail from our own addresses as automatic, and reopens a closed conversation on a reply', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    await send([to], eml({ to, subject: 'Out of office', extra: 'Auto-Submitted: auto-replied' }));
    await send([to], eml({ to, from: `Loop <${to}>`, subject: 'from ourselves' }), to);
    await send([to], eml({ to, subject: 'Human', extra: 'Auto-Submitted: no' }));
    const list = await conversations(acct.token);
    const auto = async (subject: string) => (await messages(acct.token, list.find((c) => c.subject === subject).id))[0].email.autoSubmitted;
    expect(await auto('Out of office')).toBe(true);
    expect(await auto('from ourselves')).toBe(true);
    expect(await auto('Human')).toBe(false);

    const human = list.find((c) => c.subject === 'Human');
    await store().deps.store.db.updateTable('conversations').set({ status: 'closed', closed_at: new Date().toISOString() }).where('id', '=', human.id).execute();
    const firstId = (await messages(acct.token, human.id))[0].email.messageId;
    await send([to], eml({ to, subject: 'Re: Human', inReplyTo: firstId }));
    const after = (await apiClient(live.app, acct.token).get(`/conversations/${human.id}`)).body;
    expect(after.status).toBe('open');
    const ms = await messages(acct.token, human.id);
    // The reply, dated by its arrival, then the reopening it caused.
    expect(ms.map((x) => x.kind)).toEqual(['message', 'message', 'activity']);
    expect(ms[2].activity).toMatchObject({ type: 'reopened', reason: 'inbound' });
  });

  it('links delivery-status reports to the outbound message: delayed notes it, delivered clears that, failed marks it failed; an unknown one is kept as automatic mail', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    await send([to], eml({ to, subject: 'Needs an answer' }));
    const [conv] = await conversations(acct.token);
    const db = store().deps.store.db;
    const now = new Date().toISOString();
    const outboundId = '01900000-0000-7000-8000-00000000abcd';
    const outMid = `${outboundId}.x1@${to.split('@')[1]}`;
    await db
      .insertInto('messages')
      .values({ id: outboundId, account_id: acct.account.id, inbox_id: acct.inbox.id, conversation_id: conv.id, direction: 'out', kind: 'message', author_user_id: acct.owner.id, author_contact_id: null, text: 'Our answer', html: null, subject: 'Re: Needs an answer', message_id: outMid, in_reply_to: null, references_json: null, from_json: null, to_json: null, cc_json: null, bcc_json: null, email_date: null, content_hash: null, raw_key: null, parse_error: null, auto_submitted: 0, delivery_status: 'sent', delivery_error: null, activity_json: null, created_at: now })
      .execute();
    const report = (action: string, status: string, diagnostic: string, about = outMid) =>
      crlf(
        [
          'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
          `To: ${to}`,
          'Subject: Delivery Status Notification',
          `Message-ID: <${mid('dsn')}>`,
          'Auto-Submitted: auto-replied',
          'MIME-Version: 1.0',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
          '',
          '--B1',
          'Content-Type: text/plain',
          '',
          'A report on your message.',
          '--B1',
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.customer.example',
          '',
          'Final-Recipient: rfc822; ann@customer.example',
          `Action: ${action}`,
          `Status: ${status}`,
          `Diagnostic-Code: smtp; ${diagnostic}`,
          '',
          '--B1',
          'Content-Type: text/rfc822-headers',
          '',
          `From: Acme <${to}>`,
          `Message-ID: <${about}>`,
          'Subject: Re: Needs an answer',
          '',
          '--B1--',
          '',
        ].join('\n'),
      );
    const outbound = () => db.selectFrom('messages').select(['delivery_status', 'delivery_error']).where('id', '=', outboundId).executeTakeFirstOrThrow();

    expect((await send([to], report('delayed', '4.4.7', '451 4.4.7 try again later'), '')).final).toMatch(/^250 2\.0\.0 Queued as /);
    expect(await outbound()).toEqual({ delivery_status: 'sent', delivery_error: 'Delayed: smtp; 451 4.4.7 try again later for ann@customer.example' });
    expect((await send([to], report('delivered', '2.0.0', '250 ok'), '')).final).toMatch(/^250 /);
    expect(await outbound()).toEqual({ delivery_status: 'sent', delivery_error: null });
    expect((await send([to], report('failed', '5.1.1', '550 5.1.1 <ann@customer.example>: Recipient address rejected'), '')).final).toMatch(/^250 /);
    expect(await outbound()).toMatchObject({ delivery_status: 'failed', delivery_error: expect.stringContaining('550 5.1.1') });
    // A late delay notice does not undo the failure.
    expect((await send([to], report('delayed', '4.4.7', '451 later'), '')).final).toMatch(/^250 /);
    expect((await outbound()).delivery_status).toBe('failed');
    // None of these opened a conversation.
    expect(await conversations(acct.token)).toHaveLength(1);

    // A report on a message that is not ours is never dropped: it is kept, as automatic mail.
    expect((await send([to], report('failed', '5.1.1', '550 no such user', 'somebody-else@elsewhere.example'), '')).final).toMatch(/^250 /);
    const all = await conversations(acct.token);
    expect(all).toHaveLength(2);
    const kept = await db.selectFrom('messages').select(['auto_submitted', 'text']).where('conversation_id', '=', all.find((c: { id: string }) => c.id !== conv.id).id).executeTakeFirstOrThrow();
    expect(kept.auto_submitted).toBe(1);
    expect(kept.text).toContain('A report on your message.');
  });

  it('keeps a message it cannot parse, raw, with a visible parse error', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const garbage = Buffer.concat([Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x80]), Buffer.from('\r\nnot an email at all\r\n')]);
    expect((await send([to], garbage)).final).toMatch(/^250/);
    const [conv] = await conversations(acct.token);
    expect(conv.contact.email).toBe('ann@customer.example');
    const [m] = await messages(acct.token, conv.id);
    expect(m.parseError).toMatch(/Not an email/);
    expect(m.hasRaw).toBe(true);
    const raw = await apiClient(live.app, acct.token).get(`/messages/${m.id}/raw`);
    expect(raw.status).toBe(200);
  });
});
