// The inbound spool behind the SMTP receiver's 250, on both stores: group commit (messages that
// arrive together share one commit, each stored exactly once), a restart drains what a previous
// run accepted, a message the parser gives up on is kept raw with its parse error, a processing
// failure stays in the spool for a retry, a large message streams through a spool file, and mail
// is dated and numbered by its arrival, not by when it was processed; mail for one channel that
// keeps failing shows on that channel.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { startSmtpReceiver } from '../src/server/mail/smtp-in.ts';
import { inboundSpool } from '../src/server/mail/inbound-spool.ts';
import { acquireInboundProcessor } from '../src/server/mail/inbound-processing.ts';
import { configureParsePool } from '../src/server/mail/parse.ts';
import { spoolDir } from '../src/server/mail/spool-files.ts';
import { crlf, sendRaw } from './email-in-support.ts';
import { channelView } from '../src/server/http/channel-view.ts';
import { waitFor } from './helpers/wait.ts';
import { poisonConversations } from './helpers/poison.ts';

const mail = (to: string, id: string, body = 'Hello') => crlf(`From: Ann <ann@customer.example>\nTo: ${to}\nSubject: ${id}\nMessage-ID: <${id}@customer.example>\n\n${body}\n`);
const uid = (tag: string) => `${tag}-${crypto.randomBytes(5).toString('hex')}`;

describeEachStore('inbound spool', (store) => {
  it('group-commits messages that arrive together and stores each exactly once', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const spool = inboundSpool(store().deps.store);
    const before = spool.commits;
    // Appended in one turn of the event loop: one shared commit.
    const ids = Array.from({ length: 40 }, () => uid('group'));
    await Promise.all(ids.map((id) => { const raw = mail(to, id); return spool.append({ raw, file: null, size: raw.length, mailFrom: 'ann@customer.example', recipients: [to] }); }));
    expect(spool.commits - before).toBe(1);
    // Over the wire, concurrently, with a duplicate of each: all accepted, each stored once. (60
    // connections at once from one address: over the default per-address limit of 50.)
    const smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', maxConnectionsPerIp: 100 });
    try {
      const wire = Array.from({ length: 30 }, () => uid('wire'));
      const replies = await Promise.all([...wire, ...wire].map((id) => sendRaw(smtp.port, { from: 'ann@customer.example', to: [to], data: mail(to, id) })));
      expect(replies.every((r) => /^250 2\.0\.0 Queued as /.test(r.final))).toBe(true);
      await smtp.settled();
      const rows = await store().deps.store.db.selectFrom('messages').select('message_id').where('account_id', '=', acct.account.id).execute();
      const count = new Map<string, number>();
      for (const r of rows) count.set(r.message_id!, (count.get(r.message_id!) ?? 0) + 1);
      for (const id of [...ids, ...wire]) expect(count.get(`${id}@customer.example`), id).toBe(1);
      expect(rows).toHaveLength(ids.length + wire.length);
      expect(await store().deps.store.db.selectFrom('inbound_queue').select('id').execute()).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  // Both places the processor runs: this thread (tests) and a thread of its own (the server).
  it.each(['in-process', 'thread'] as const)('drains on start what a previous run accepted but did not process (%s)', async (processing) => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const id = uid('left');
    const raw = mail(to, id);
    // Accepted (committed) with no processor running: as if the process died right after the 250.
    await inboundSpool(store().deps.store).append({ raw, file: null, size: raw.length, mailFrom: 'ann@customer.example', recipients: [to] });
    expect(await store().deps.store.db.selectFrom('inbound_queue').select('id').execute()).toHaveLength(1);
    const smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1', processing });
    try {
      await smtp.settled();
      const m = await store().deps.store.db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      expect(m.message_id).toBe(`${id}@customer.example`);
      expect(await store().deps.store.db.selectFrom('inbound_queue').select('id').execute()).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  it('keeps mail accepted while the channel was on, even when the channel is turned off before it is processed', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const id = uid('accepted-then-off');
    const raw = mail(to, id);
    await inboundSpool(store().deps.store).append({ raw, file: null, size: raw.length, mailFrom: 'ann@customer.example', recipients: [to] });
    await store().deps.store.db.updateTable('channels').set({ enabled: 0 }).where('id', '=', acct.channel.id).execute();
    const smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1' });
    try {
      await smtp.settled();
      const m = await store().deps.store.db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      expect(m.message_id).toBe(`${id}@customer.example`);
      // New mail to the turned-off channel is still refused at RCPT.
      expect((await sendRaw(smtp.port, { from: 'ann@customer.example', to: [to], data: mail(to, uid('late')) })).final).toMatch(/^550 5\.2\.1 /);
    } finally {
      await smtp.stop();
    }
  });

  it('keeps a message the parser gives up on, raw, with its parse error', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const heavy = crlf(`From: slow@customer.example\nTo: ${to}\nSubject: Heavy\nMessage-ID: <${uid('heavy')}@customer.example>\nContent-Type: text/plain; format=flowed; delsp=yes\n\n${('word '.repeat(15) + '\n').repeat(40_000)}`);
    await configureParsePool({ size: 1, timeoutMs: 1 });
    const smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1' });
    try {
      expect((await sendRaw(smtp.port, { from: 'slow@customer.example', to: [to], data: heavy })).final).toMatch(/^250 /);
      await smtp.settled();
      const m = await store().deps.store.db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      expect(m.parse_error).toMatch(/could not be parsed within/);
      expect(m.raw_key).toBeTruthy();
      expect(await store().deps.store.db.selectFrom('inbound_queue').select('id').execute()).toEqual([]);
    } finally {
      await smtp.stop();
      await configureParsePool({});
    }
  });

  it('streams a large message through a spool file and removes the file once processed', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const id = uid('large');
    const smtp = await startSmtpReceiver(store().deps, { port: 0, host: '127.0.0.1' });
    try {
      const body = `${'0123456789abcdef'.repeat(4)}\n`.repeat(8_000); // ~520 KB, over the in-row limit
      expect((await sendRaw(smtp.port, { from: 'ann@customer.example', to: [to], data: mail(to, id, body) })).final).toMatch(/^250 /);
      await smtp.settled();
      const m = await store().deps.store.db.selectFrom('messages').selectAll().where('account_id', '=', acct.account.id).executeTakeFirstOrThrow();
      expect(m.message_id).toBe(`${id}@customer.example`);
      expect(m.text.length).toBeGreaterThan(500_000);
      const left = fs.existsSync(spoolDir(store().config.dataDir)) ? fs.readdirSync(spoolDir(store().config.dataDir)) : [];
      expect(left).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  it('leaves a message it cannot process in the spool with the error, for a later attempt', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    // A spool row whose file is gone: processing fails, and the row records why.
    const spoolId = await inboundSpool(store().deps.store).append({ raw: null, file: `${'ab'.repeat(16)}.eml`, size: 1, mailFrom: null, recipients: [to] });
    const processing = acquireInboundProcessor(store().deps);
    try {
      await processing.processor.idle();
      const row = await store().deps.store.db.selectFrom('inbound_queue').selectAll().where('id', '=', spoolId).executeTakeFirstOrThrow();
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(/ENOENT/);
      expect(row.next_attempt_at).not.toBeNull();
    } finally {
      await processing.release();
      await store().deps.store.db.deleteFrom('inbound_queue').where('id', '=', spoolId).execute();
    }
  });
  it('leaves new mail in the spool while a burst lasts, processes mail that waited too long, and the rest after the burst', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const spool = inboundSpool(store().deps.store);
    const db = store().deps.store.db;
    const processed = async () => (await db.selectFrom('messages').select('message_id').where('account_id', '=', acct.account.id).execute()).map((m) => m.message_id);
    // Generous windows, so a slow machine's gaps between appends do not end the burst early.
    const processing = acquireInboundProcessor(store().deps, { receivingWindowMs: 1_000, burstDeferralMs: 1_500, pollMs: 60_000 });
    try {
      const ids: string[] = [];
      const started = Date.now();
      let sawNothingEarly = false;
      // A steady stream: a message every 100 ms for 3.5 s.
      while (Date.now() - started < 3_500) {
        const id = uid('burst');
        ids.push(id);
        const raw = mail(to, id);
        await spool.append({ raw, file: null, size: raw.length, mailFrom: 'ann@customer.example', recipients: [to] });
        if (Date.now() - started < 1_000 && (await processed()).length === 0) sawNothingEarly = true;
        await new Promise((r) => setTimeout(r, 100));
      }
      // During the burst: nothing younger than the deferral was taken, but the first messages were.
      expect(sawNothingEarly).toBe(true);
      const during = await processed();
      expect(during).toContain(`${ids[0]}@customer.example`);
      expect(during.length).toBeLessThan(ids.length);
      await processing.processor.idle();
      expect((await processed()).sort()).toEqual(ids.map((id) => `${id}@customer.example`).sort());
    } finally {
      await processing.release();
    }
  });

  it('dates mail by when it reached the spool, so mail processed later or side by side keeps its place', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const spool = inboundSpool(store().deps.store);
    const db = store().deps.store.db;
    const pause = () => new Promise((r) => setTimeout(r, 30));
    const first = uid('first');
    const second = uid('second');
    const firstId = await spool.append({ raw: mail(to, first), file: null, size: 1, mailFrom: 'ann@customer.example', recipients: [to] });
    await pause();
    const secondId = await spool.append({ raw: mail(to, second), file: null, size: 1, mailFrom: 'ann@customer.example', recipients: [to] });
    const arrivals = new Map((await db.selectFrom('inbound_queue').select(['id', 'received_at']).where('id', 'in', [firstId, secondId]).execute()).map((r) => [r.id, r.received_at]));
    // Processed well after it arrived.
    await pause();
    const processing = acquireInboundProcessor(store().deps);
    try {
      await processing.processor.idle();
      const messageOf = (id: string) => db.selectFrom('messages').selectAll().where('message_id', '=', `${id}@customer.example`).executeTakeFirstOrThrow();
      const m1 = await messageOf(first);
      const m2 = await messageOf(second);
      expect(m1.created_at).toBe(arrivals.get(firstId));
      expect(m2.created_at).toBe(arrivals.get(secondId));
      const c1 = await db.selectFrom('conversations').selectAll().where('id', '=', m1.conversation_id).executeTakeFirstOrThrow();
      expect([c1.created_at, c1.last_activity_at]).toEqual([m1.created_at, m1.created_at]);
      const logged = await db.selectFrom('timeline_entries').select('created_at').where('message_id', '=', m1.id).executeTakeFirstOrThrow();
      expect(logged.created_at).toBe(m1.created_at);
      // The inbox lists them in the order they came, whatever order they were processed in.
      const listed = await db.selectFrom('conversations').select('id').where('account_id', '=', acct.account.id).orderBy('last_activity_at', 'desc').orderBy('id', 'desc').execute();
      expect(listed.map((c) => c.id)).toEqual([m2.conversation_id, m1.conversation_id]);

      // A reply that arrived before the conversation's latest activity does not move it back.
      const later = '2999-01-01T00:00:00.000Z';
      await db.updateTable('conversations').set({ last_activity_at: later }).where('id', '=', c1.id).execute();
      const reply = crlf(`From: Ann <ann@customer.example>\nTo: ${to}\nSubject: Re: ${first}\nMessage-ID: <${uid('reply')}@customer.example>\nIn-Reply-To: <${first}@customer.example>\n\nThanks\n`);
      await spool.append({ raw: reply, file: null, size: reply.length, mailFrom: 'ann@customer.example', recipients: [to] });
      await processing.processor.idle();
      const after = await db.selectFrom('conversations').selectAll().where('id', '=', c1.id).executeTakeFirstOrThrow();
      expect(after.last_activity_at).toBe(later);
      expect(await db.selectFrom('messages').select('id').where('conversation_id', '=', c1.id).execute()).toHaveLength(2);
    } finally {
      await processing.release();
    }
  });

  it('numbers new conversations in the order their mail arrived, though it is parsed side by side', async () => {
    const acct = await makeAccount(store().deps);
    const to = acct.email.inbound_address;
    const spool = inboundSpool(store().deps.store);
    const db = store().deps.store.db;
    // The first to arrive takes longest to parse, so it would be stored last if nothing kept order.
    const ids = Array.from({ length: 6 }, (_, i) => uid(`order${i}`));
    const bodies = ids.map((_, i) => (i === 0 ? `${'slow to parse '.repeat(6)}\n`.repeat(40_000) : 'Hello'));
    for (const [i, id] of ids.entries()) {
      const raw = mail(to, id, bodies[i]);
      await spool.append({ raw, file: null, size: raw.length, mailFrom: 'ann@customer.example', recipients: [to] });
    }
    const processing = acquireInboundProcessor(store().deps);
    try {
      await processing.processor.idle();
      const rows = await db.selectFrom('conversations').select(['number', 'subject']).where('account_id', '=', acct.account.id).orderBy('number').execute();
      expect(rows.map((r) => r.subject)).toEqual(ids);
    } finally {
      await processing.release();
    }
  });

  it('spools SMTP mail under the channel all its recipients share, so a message that keeps failing shows on that channel', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const a = await makeAccount(deps);
    const b = await makeAccount(deps);
    const [local, domain] = a.email.inbound_address.split('@');
    const cure = await poisonConversations(deps.store, 'Poison');
    const smtp = await startSmtpReceiver(deps, { port: 0, host: '127.0.0.1' });
    try {
      const poisoned = (to: string) => crlf(`From: Ann <ann@customer.example>\nTo: ${to}\nSubject: Poison\nMessage-ID: <${uid('poison')}@customer.example>\n\nHello\n`);
      // Two addresses of one channel: spooled under it. Two accounts' addresses: under none.
      expect((await sendRaw(smtp.port, { from: 'ann@customer.example', to: [a.email.inbound_address, `${local}+billing@${domain}`], data: poisoned(a.email.inbound_address) })).final).toMatch(/^250 /);
      const both = uid('both');
      expect((await sendRaw(smtp.port, { from: 'ann@customer.example', to: [a.email.inbound_address, b.email.inbound_address], data: mail(a.email.inbound_address, both) })).final).toMatch(/^250 /);
      const failed = await waitFor('the failure recorded', async () => {
        const row = await db.selectFrom('inbound_queue').selectAll().where('last_error', 'is not', null).executeTakeFirst();
        return row ?? null;
      });
      expect(failed).toMatchObject({ via: 'smtp', channel_id: a.channel.id, attempts: 1 });
      const channelRow = await db.selectFrom('channels').selectAll().where('id', '=', a.channel.id).executeTakeFirstOrThrow();
      const channelRowB = await db.selectFrom('channels').selectAll().where('id', '=', b.channel.id).executeTakeFirstOrThrow();
      expect((await channelView(db, channelRow)).email?.waitingMail).toMatchObject({ count: 1, lastError: expect.stringMatching(/poisoned for the test/) });
      expect((await channelView(db, channelRowB)).email?.waitingMail).toBeNull();
      // The message for both accounts reached both inboxes.
      await waitFor('the message to both', async () => (await db.selectFrom('messages').select('id').where('message_id', '=', `${both}@customer.example`).execute()).length === 2);

      // Failing mail for both accounts has no channel of its own: it shows on both.
      const shared = poisoned(b.email.inbound_address);
      expect((await sendRaw(smtp.port, { from: 'ann@customer.example', to: [a.email.inbound_address, b.email.inbound_address], data: shared })).final).toMatch(/^250 /);
      await waitFor('the shared failure recorded', async () => (await db.selectFrom('inbound_queue').select('id').where('channel_id', 'is', null).where('attempts', '>', 0).execute()).length === 1);
      expect((await channelView(db, channelRow)).email?.waitingMail).toMatchObject({ count: 2 });
      expect((await channelView(db, channelRowB)).email?.waitingMail).toMatchObject({ count: 1, lastError: expect.stringMatching(/poisoned for the test/), nextAttemptAt: expect.any(String) });

      // Fixed: the retry stores it in its channel's inbox, and the channel is clear again.
      await cure();
      await waitFor('the retried messages', async () => (await db.selectFrom('inbound_queue').select('id').execute()).length === 0, 30_000);
      expect(await db.selectFrom('conversations').select('id').where('inbox_id', '=', a.inbox.id).where('subject', '=', 'Poison').execute()).toHaveLength(2);
      expect(await db.selectFrom('conversations').select('id').where('inbox_id', '=', b.inbox.id).where('subject', '=', 'Poison').execute()).toHaveLength(1);
      expect((await channelView(db, channelRow)).email?.waitingMail).toBeNull();
      expect((await channelView(db, channelRowB)).email?.waitingMail).toBeNull();
    } finally {
      await cure();
      await smtp.stop();
    }
  });
});
