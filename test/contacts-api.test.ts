// Contacts edited by hand, on SQLite and PostgreSQL: any user adds a contact and sets its name
// and owner (an active user of the same account), each change is logged on the timeline and
// emitted; the list finds contacts by word prefixes of name and address; a conversation list shows the
// new name at once (its cache is keyed by the account's events).
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addUser } from './access-fixtures.ts';

describeEachStore('contacts API', (store) => {
  it('adds a contact; a second one with the same address (in any case) is a conflict; bad input is a clear error', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const app = await testApp(deps);
    const agent = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Ann' });
    const api = apiClient(app, agent.token);
    try {
      const made = await api.post('/contacts', { email: 'Jane@Customer.test', name: ' Jane Doe ', ownerId: agent.user.id });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ email: 'jane@customer.test', name: 'Jane Doe', ownerId: agent.user.id });
      const again = await api.post('/contacts', { email: 'JANE@customer.test' });
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'conflict', field: 'email' });
      const bad = await api.post('/contacts', { email: 'not an address' });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('email');
      const timeline = await api.get(`/contacts/${made.body.id}/timeline`);
      expect(timeline.body.items.map((t: { kind: string }) => t.kind)).toEqual(['contact_created']);
    } finally {
      await app.close();
    }
  });

  it('changes name and owner; the owner must be an active user of the account; changes are logged and emitted', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const other = await makeAccount(deps);
    const app = await testApp(deps);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Ann' });
    const gone = await addUser(deps, acct.account, { role: 'agent', name: 'Gus' });
    await deps.store.db.updateTable('users').set({ deactivated_at: new Date().toISOString() }).where('id', '=', gone.user.id).execute();
    const api = apiClient(app, agent.token);
    try {
      const conversation = await addConversation(deps, acct.account, acct.inbox.id, 'Hello', { contactEmail: 'sam@customer.test' });
      const contactId = conversation.contact_id!;
      const before = (await api.get(`/conversations/${conversation.id}`)).body;
      expect(before.contact.name).not.toBe('Samantha');
      const seq = async () => (await deps.store.db.selectFrom('accounts').select('event_seq').where('id', '=', acct.account.id).executeTakeFirstOrThrow()).event_seq;
      const seqBefore = await seq();

      const res = await api.patch(`/contacts/${contactId}`, { name: 'Samantha', ownerId: agent.user.id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: contactId, name: 'Samantha', ownerId: agent.user.id });
      expect(await seq()).toBeGreaterThan(seqBefore);
      const listed = await api.get(`/conversations?contactId=${contactId}`);
      expect(listed.body.items[0].contact.name).toBe('Samantha');

      expect((await api.patch(`/contacts/${contactId}`, { ownerId: other.owner.id })).body.error).toMatchObject({ code: 'validation_failed', field: 'ownerId' });
      expect((await api.patch(`/contacts/${contactId}`, { ownerId: gone.user.id })).body.error.message).toMatch(/deactivated/);
      expect((await api.patch(`/contacts/${contactId}`, { owner: 'x' })).status).toBe(400);
      expect((await apiClient(app, other.token).patch(`/contacts/${contactId}`, { name: 'Nope' })).status).toBe(404);

      const cleared = await api.patch(`/contacts/${contactId}`, { ownerId: null });
      expect(cleared.body.ownerId).toBeNull();
      const timeline = (await api.get(`/contacts/${contactId}/timeline`)).body.items as Array<{ kind: string; summary: string }>;
      const edits = timeline.filter((t) => t.kind === 'contact_updated').map((t) => t.summary);
      expect(edits).toEqual(['Ann: owner removed', 'Ann: name changed to "Samantha", owner set to Ann']);
    } finally {
      await app.close();
    }
  });

  it('finds contacts by word prefixes of their name and address, case- and accent-insensitively, through the search index', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const other = await makeAccount(deps);
    const app = await testApp(deps);
    const api = apiClient(app, acct.token);
    try {
      for (const [email, name] of [
        ['maria@acme.test', 'María Lopez'],
        ['mark@other.test', 'Mark Twain'],
        ['bob_smith@acme.test', 'Bob'],
        ['percent@acme.test', '100% Real'],
      ] as const) {
        expect((await api.post('/contacts', { email, name })).status).toBe(201);
      }
      expect((await apiClient(app, other.token).post('/contacts', { email: 'mary@acme.test', name: 'Mary' })).status).toBe(201);
      const emails = async (q: string) => ((await api.get(`/contacts?q=${encodeURIComponent(q)}`)).body.items as Array<{ email: string }>).map((c) => c.email).sort();
      expect(await emails('MAR')).toEqual(['maria@acme.test', 'mark@other.test']); // not the other account's Mary
      expect(await emails('maria lop')).toEqual(['maria@acme.test']);
      expect(await emails('acme')).toEqual(['bob_smith@acme.test', 'maria@acme.test', 'percent@acme.test']);
      expect(await emails('smith')).toEqual(['bob_smith@acme.test']);
      expect(await emails('100%')).toEqual(['percent@acme.test']);
      expect(await emails('twa')).toEqual(['mark@other.test']);
      expect(await emails('wain')).toEqual([]); // word prefixes, not any substring
      expect(await emails('%_')).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
