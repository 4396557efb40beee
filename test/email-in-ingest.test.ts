// ingestRawEmail as the IMAP poller calls it (no SMTP envelope, an explicit channel), on both
// stores: stored in that channel's inbox, not taken for a bounce, and deduplicated against the
// same message arriving over SMTP; unknown recipients are 'no_channel'.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addUser } from './access-fixtures.ts';
import { ingestRawEmail } from '../src/server/mail/ingest.ts';
import { crlf } from './email-in-support.ts';
import { INLINE_MAX_BYTES } from '../src/server/mail/spool-files.ts';

describeEachStore('ingestRawEmail', (store) => {
  it('stores IMAP mail in the given channel, as a person’s mail, once', async () => {
    const acct = await makeAccount(store().deps);
    const raw = crlf(`From: Ivy <ivy@customer.example>\nTo: team@acme.example\nSubject: Via IMAP\nMessage-ID: <imap-${Date.now()}@customer.example>\nReturn-Path: <ivy@customer.example>\n\nHello over IMAP\n`);
    const first = await ingestRawEmail(store().deps, { raw, recipients: ['team@acme.example'], mailFrom: null, via: 'imap', channelId: acct.channel.id });
    expect(first.outcome).toBe('stored');
    if (first.outcome !== 'stored') return;
    expect(first.created).toBe(true);
    const again = await ingestRawEmail(store().deps, { raw, recipients: [acct.email.inbound_address], mailFrom: 'ivy@customer.example', via: 'smtp' });
    expect(again).toEqual({ outcome: 'duplicate', messageId: first.messageId, conversationId: first.conversationId });
    const m = await store().deps.store.db.selectFrom('messages').selectAll().where('id', '=', first.messageId).executeTakeFirstOrThrow();
    expect(m.inbox_id).toBe(acct.inbox.id);
    expect(m.auto_submitted).toBe(0);
    const events = await store().deps.store.db.selectFrom('events').select(['type', 'inbox_id']).where('account_id', '=', acct.account.id).where('type', 'in', ['conversation.created', 'message.created']).execute();
    expect(events.map((e) => e.type).sort()).toEqual(['conversation.created', 'message.created']);
    expect(events.every((e) => e.inbox_id === acct.inbox.id)).toBe(true);
  });

  it('files a reply sent to the old address of a moved conversation in the conversation\'s inbox, with its access', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const app = await testApp(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Al' });
    const first = `<moved-${Date.now()}@customer.example>`;
    const original = await ingestRawEmail(deps, { raw: crlf(`From: Ivy <ivy@customer.example>\nTo: ${acct.email.inbound_address}\nSubject: Moving\nMessage-ID: ${first}\n\nFirst\n`), recipients: [acct.email.inbound_address], mailFrom: 'ivy@customer.example', via: 'smtp' });
    if (original.outcome !== 'stored') throw new Error(original.outcome);
    // Moved to an inbox the agent has no access to.
    const sales = (await owner.post('/inboxes', { name: 'Sales', access: 'specific', userIds: [acct.owner.id] })).body;
    expect((await owner.post(`/conversations/${original.conversationId}/move`, { inboxId: sales.id })).status).toBe(200);

    const reply = await ingestRawEmail(deps, {
      raw: crlf(`From: Ivy <ivy@customer.example>\nTo: ${acct.email.inbound_address}\nSubject: Re: Moving\nMessage-ID: <moved-reply-${Date.now()}@customer.example>\nIn-Reply-To: ${first}\n\nSecond\n`),
      recipients: [acct.email.inbound_address],
      mailFrom: 'ivy@customer.example',
      via: 'smtp',
    });
    expect(reply).toMatchObject({ outcome: 'stored', conversationId: original.conversationId, created: false });
    if (reply.outcome !== 'stored') return;
    const row = await deps.store.db.selectFrom('messages').select('inbox_id').where('id', '=', reply.messageId).executeTakeFirstOrThrow();
    expect(row.inbox_id).toBe(sales.id);
    // The first message delivered again to the old address (a retry after a lost 250) is still a duplicate.
    const retry = await ingestRawEmail(deps, { raw: crlf(`From: Ivy <ivy@customer.example>\nTo: ${acct.email.inbound_address}\nSubject: Moving\nMessage-ID: ${first}\n\nFirst\n`), recipients: [acct.email.inbound_address], mailFrom: 'ivy@customer.example', via: 'smtp' });
    expect(retry).toEqual({ outcome: 'duplicate', messageId: original.messageId, conversationId: original.conversationId });
    const events = await deps.store.db.selectFrom('events').select('inbox_id').where('type', '=', 'message.created').where('account_id', '=', acct.account.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(events.inbox_id).toBe(sales.id);
    // The agent of the old inbox can neither read the conversation nor download the reply.
    const asAgent = apiClient(app, agent.token);
    expect((await asAgent.get(`/conversations/${original.conversationId}`)).status).toBe(404);
    expect((await asAgent.get(`/messages/${reply.messageId}/raw`)).status).toBe(404);
    expect((await owner.get(`/messages/${reply.messageId}/raw`)).status).toBe(200);
    await app.close();
  });

  it('logs a forward of our own mail (an agent\'s reply, our address) to the customer who forwarded it', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const to = acct.email.inbound_address;
    const forwardOf = (original: string, n: number) =>
      crlf(
        `From: Maria Garcia <maria.garcia@gmail.com>\nTo: ${to}\nSubject: Fwd: Your refund\nMessage-ID: <own-fwd-${n}-${Date.now()}@mail.gmail.com>\n\nSee below, it still has not arrived.\n\n` +
          `---------- Forwarded message ---------\nFrom: ${original}\nDate: Mon, Nov 23, 2026 at 10:00 AM\nSubject: Your refund\nTo: Maria Garcia <maria.garcia@gmail.com>\n\nThe refund was sent on Friday.\n`,
      );
    for (const [n, original] of [`Acme <${to}>`, `Acme <${to.replace('@', '+c_abcdefgh12345678@')}>`, `${acct.owner.first_name} <${acct.owner.email.toUpperCase()}>`].entries()) {
      const r = await ingestRawEmail(deps, { raw: forwardOf(original, n), recipients: [to], mailFrom: 'maria.garcia@gmail.com', via: 'smtp' });
      if (r.outcome !== 'stored') throw new Error(r.outcome);
      const conv = await deps.store.db.selectFrom('conversations').innerJoin('contacts', 'contacts.id', 'conversations.contact_id').select('contacts.email').where('conversations.id', '=', r.conversationId).executeTakeFirstOrThrow();
      expect(conv.email, original).toBe('maria.garcia@gmail.com');
    }
    // No contact was made for our own address or the agent.
    const ours = await deps.store.db.selectFrom('contacts').select('email').where('account_id', '=', acct.account.id).where('email', 'in', [to, acct.owner.email]).execute();
    expect(ours).toEqual([]);
  });

  it('keeps a subjectless mail\'s subject empty, and names its timeline line and ticket for people', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const owner = apiClient(await testApp(deps), acct.token);
    const r = await ingestRawEmail(deps, { raw: crlf(`From: Ivy <ivy@customer.example>\nTo: ${acct.email.inbound_address}\nMessage-ID: <nosubject-${Date.now()}@customer.example>\n\nNo subject line here\n`), recipients: [acct.email.inbound_address], mailFrom: 'ivy@customer.example', via: 'smtp' });
    if (r.outcome !== 'stored') throw new Error(r.outcome);
    const conversation = (await owner.get(`/conversations/${r.conversationId}`)).body;
    expect(conversation.subject).toBe('');
    const timeline = (await owner.get(`/contacts/${conversation.contact.id}/timeline`)).body;
    expect(timeline.items.map((t: { summary: string }) => t.summary)).toContain('Email received: (no subject)');
    const ticket = await owner.post('/tickets', { conversationId: r.conversationId });
    expect(ticket.status).toBe(201);
    expect(ticket.body.subject).toBe(`Conversation #${conversation.number}`);
  });

  it('keeps a small raw message in the database with its message and a large one as a blob file, both downloadable as received', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const owner = apiClient(await testApp(deps), acct.token);
    const db = deps.store.db;
    const mail = (size: number) =>
      crlf(`From: Ivy <ivy@customer.example>\nTo: ${acct.email.inbound_address}\nSubject: Size ${size}\nMessage-ID: <size-${size}-${Date.now()}@customer.example>\n\n${'x'.repeat(76).concat('\n').repeat(Math.ceil(size / 77))}`);
    for (const [raw, inline] of [
      [mail(2_000), true],
      [mail(INLINE_MAX_BYTES + 1_000), false],
    ] as const) {
      const r = await ingestRawEmail(deps, { raw, recipients: [acct.email.inbound_address], mailFrom: 'ivy@customer.example', via: 'smtp' });
      if (r.outcome !== 'stored') throw new Error(r.outcome);
      const m = await db.selectFrom('messages').select(['raw_key', 'raw_inline']).where('id', '=', r.messageId).executeTakeFirstOrThrow();
      const kept = await db.selectFrom('message_raws').select('message_id').where('message_id', '=', r.messageId).executeTakeFirst();
      expect({ inline: m.raw_inline === 1, row: Boolean(kept), file: m.raw_key !== null }).toEqual({ inline, row: inline, file: !inline });
      expect((await owner.get(`/conversations/${r.conversationId}/messages`)).body.items.find((x: { id: string }) => x.id === r.messageId).hasRaw).toBe(true);
      const download = await owner.get(`/messages/${r.messageId}/raw`);
      expect(download.status).toBe(200);
      expect(Buffer.from(download.body as unknown as string).equals(raw)).toBe(true);
    }
  });

  it('makes one conversation of a message and its replies arriving at the same moment', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const to = acct.email.inbound_address;
    for (let round = 0; round < 5; round++) {
      const root = `<race-${round}-${Date.now()}@customer.example>`;
      const mails = [crlf(`From: Ivy <ivy@customer.example>\nTo: ${to}\nSubject: Race ${round}\nMessage-ID: ${root}\n\nFirst\n`)];
      // Replies name the root among several References, as real clients do.
      for (let i = 1; i <= 3; i++) {
        const refs = [`<older-${round}-${i}@elsewhere.example>`, root].join(' ');
        mails.push(crlf(`From: Ivy <ivy@customer.example>\nTo: ${to}\nSubject: Re: Race ${round}\nMessage-ID: <race-${round}-reply-${i}@customer.example>\nIn-Reply-To: ${root}\nReferences: ${refs}\n\nReply ${i}\n`));
      }
      const results = await Promise.all(mails.map((raw) => ingestRawEmail(deps, { raw, recipients: [to], mailFrom: 'ivy@customer.example', via: 'smtp' })));
      const conversations = new Set(results.map((r) => (r.outcome === 'stored' ? r.conversationId : r.outcome)));
      expect(conversations.size).toBe(1);
      expect(results.filter((r) => r.outcome === 'stored' && r.created)).toHaveLength(1);
    }
  });

  it('answers no_channel for addresses it does not know', async () => {
    const r = await ingestRawEmail(store().deps, { raw: crlf('From: a@b.c\nSubject: x\n\nx\n'), recipients: ['nobody@nowhere.example'], mailFrom: 'a@b.c', via: 'smtp' });
    expect(r).toEqual({ outcome: 'no_channel' });
  });
});
