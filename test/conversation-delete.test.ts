// Deleting a conversation on SQLite and PostgreSQL: DELETE /conversations/{id} removes it with its
// messages, attachment rows, thread keys, search rows, timeline lines and ticket, emits
// conversation.deleted for its inbox, and answers 404 afterwards; view-only admins get 403 and
// those who cannot see it 404. Its email is remembered: the same message delivered again over
// SMTP (a retry) does not bring the conversation back, while new mail still opens one.
import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient } from './helpers/api.ts';
import { addConversation, addUser } from './access-fixtures.ts';
import { crlf, sendRaw, apiAndReceiver } from './email-in-support.ts';

let seq = 0;

function eml(o: { to: string; subject: string; body: string; messageId?: string }): Buffer {
  const boundary = 'b-delete-test';
  return crlf(
    [
      'From: Dora Customer <dora@customer.example>',
      `To: ${o.to}`,
      `Subject: ${o.subject}`,
      'Date: Mon, 30 Nov 2026 10:00:00 +0000',
      `Message-ID: <${o.messageId ?? `delete.${Date.now()}.${seq++}@customer.example`}>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      o.body,
      `--${boundary}`,
      'Content-Type: text/plain; name="receipt.txt"',
      'Content-Disposition: attachment; filename="receipt.txt"',
      '',
      'Receipt 1234',
      `--${boundary}--`,
      '',
    ].join('\n'),
  );
}

describeEachStore('deleting a conversation', (store) => {
  const live = apiAndReceiver(store);

  const deliver = async (to: string, data: Buffer) => {
    const r = await sendRaw(live.smtp.port, { from: 'dora@customer.example', to: [to], data });
    await live.smtp.settled();
    return r.final;
  };
  const count = async (table: 'messages' | 'attachments' | 'email_thread_keys' | 'timeline_entries' | 'tickets' | 'conversation_followers', column: string, value: string) =>
    Number((await store().deps.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where(column as never, '=', value as never).executeTakeFirstOrThrow()).n);

  it('an agent deletes an emailed conversation: it is gone with everything that hung on it, an event tells the inbox, and a re-delivery stays deleted', async () => {
    const deps = store().deps;
    const db = deps.store.db;
    const acct = await makeAccount(deps);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Ada' });
    const api = apiClient(live.app, agent.token);
    const word = `zebracrossing${Date.now().toString(36)}`;
    const raw = eml({ to: acct.email.inbound_address, subject: 'Please delete me', body: `My card number is ${word}` });
    expect(await deliver(acct.email.inbound_address, raw)).toMatch(/^250 /);
    const [conversation] = (await api.get('/conversations?limit=10')).body.items;
    expect(conversation).toMatchObject({ subject: 'Please delete me' });
    const id: string = conversation.id;
    const contactId: string = conversation.contact.id;
    expect((await api.post('/tickets', { conversationId: id })).status).toBe(201);
    expect((await api.put(`/conversations/${id}/follow`)).status).toBe(200);
    const messageIds = (await db.selectFrom('messages').select('id').where('conversation_id', '=', id).execute()).map((m) => m.id);
    expect(await count('attachments', 'message_id', messageIds.find(Boolean)!)).toBe(1);
    expect((await api.get(`/search?q=${word}`)).body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await api.get(`/contacts/${contactId}/timeline`)).body.items.map((t: { kind: string }) => t.kind).sort()).toEqual(['email_received', 'ticket_created']);

    const res = await api.delete(`/conversations/${id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    expect((await api.get(`/conversations/${id}`)).status).toBe(404);
    expect((await api.delete(`/conversations/${id}`)).status).toBe(404);
    expect((await api.get('/conversations?limit=10')).body.items).toEqual([]);
    expect((await api.get(`/search?q=${word}`)).body.items).toEqual([]);
    for (const m of messageIds) expect(await count('attachments', 'message_id', m)).toBe(0);
    expect(await count('messages', 'conversation_id', id)).toBe(0);
    expect(await count('email_thread_keys', 'conversation_id', id)).toBe(0);
    expect(await count('timeline_entries', 'conversation_id', id)).toBe(0);
    expect(await count('tickets', 'conversation_id', id)).toBe(0);
    expect(await count('conversation_followers', 'conversation_id', id)).toBe(0);
    if (deps.store.dialect === 'sqlite') {
      const left = await sql<{ n: number }>`select count(*) as n from search_docs where conversation_id = ${id}`.execute(db);
      expect(Number(left.rows[0]!.n)).toBe(0);
    }
    // The contact stays, with a timeline that no longer mentions the conversation.
    const timeline = await api.get(`/contacts/${contactId}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items).toEqual([]);
    expect((await api.get(`/contacts/${contactId}`)).status).toBe(200);
    expect((await api.get('/tickets?limit=10')).body.items).toEqual([]);

    const events = await db.selectFrom('events').selectAll().where('account_id', '=', acct.account.id).where('type', '=', 'conversation.deleted').execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.inbox_id).toBe(acct.inbox.id);
    expect(JSON.parse(events[0]!.payload)).toEqual({ conversationId: id, number: conversation.number });
    const audit = await db.selectFrom('audit_log').selectAll().where('subject_id', '=', id).execute();
    expect(audit).toMatchObject([{ action: 'conversation.deleted', actor_user_id: agent.user.id }]);

    // The sender's server retries (our 250 was lost): accepted, and still deleted.
    expect(await deliver(acct.email.inbound_address, raw)).toMatch(/^250 /);
    expect((await api.get('/conversations?limit=10')).body.items).toEqual([]);
    expect(await db.selectFrom('inbound_queue').select('id').where('mail_from', '=', 'dora@customer.example').execute()).toEqual([]);
    // New mail from the same customer is a new conversation as usual.
    expect(await deliver(acct.email.inbound_address, eml({ to: acct.email.inbound_address, subject: 'Something else', body: 'A new question' }))).toMatch(/^250 /);
    expect((await api.get('/conversations?limit=10')).body.items.map((c: { subject: string }) => c.subject)).toEqual(['Something else']);
  });

  it('refuses view-only admins with 403 view_only and hides it from those who cannot see it; the conversation stays', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(live.app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Al' });
    const hidden = await owner.post('/inboxes', { name: 'Finance', access: 'specific', userIds: [] });
    const c = await addConversation(deps, acct.account, hidden.body.id, 'Salaries');

    const viewOnly = await owner.delete(`/conversations/${c.id}`);
    expect(viewOnly.status).toBe(403);
    expect(viewOnly.body.error).toMatchObject({ code: 'view_only', message: expect.stringMatching(/view this inbox but not act/) });
    const unseen = await apiClient(live.app, agent.token).delete(`/conversations/${c.id}`);
    expect(unseen.status).toBe(404);
    expect(unseen.body.error).toMatchObject({ code: 'not_found', message: 'Conversation not found' });
    expect((await owner.get(`/conversations/${c.id}`)).status).toBe(200);
    const events = await deps.store.db.selectFrom('events').select('type').where('account_id', '=', acct.account.id).where('type', '=', 'conversation.deleted').execute();
    expect(events).toEqual([]);
  });

  it('is in the OpenAPI document with its 204, 403 and 404', async () => {
    const doc = (await apiClient(live.app).get('/api/openapi.json')).body;
    const op = doc.paths['/api/v1/conversations/{id}'].delete;
    expect(Object.keys(op.responses).sort()).toEqual(['204', '403', '404']);
  });
});
