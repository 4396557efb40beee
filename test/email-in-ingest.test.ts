// ingestRawEmail as the IMAP poller calls it (no SMTP envelope, an explicit channel), on both
// stores: stored in that channel's inbox, not taken for a bounce, and deduplicated against the
// same message arriving over SMTP; unknown recipients are 'no_channel'.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { ingestRawEmail } from '../src/server/mail/ingest.ts';
import { crlf } from './email-in-support.ts';

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

  it('answers no_channel for addresses it does not know', async () => {
    const r = await ingestRawEmail(store().deps, { raw: crlf('From: a@b.c\nSubject: x\n\nx\n'), recipients: ['nobody@nowhere.example'], mailFrom: 'a@b.c', via: 'smtp' });
    expect(r).toEqual({ outcome: 'no_channel' });
  });
});
