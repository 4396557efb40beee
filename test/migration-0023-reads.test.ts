// Migration 0023 (conversations from before read tracking are read), on SQLite and PostgreSQL: a
// store migrated up to 0020 gets conversations, then 0021 (read tracking) runs, a customer writes
// in one old conversation and a new conversation arrives, then the store migrates to the latest.
// The old conversations are read for every agent, also one added afterwards and the author whose
// reply the customer answered before 0021; the conversation with a customer message since 0021
// and the new one are unread; "mark as unread" and read still work on the old ones.
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { STORE_KINDS, makeAccount, openTestStore, type TestStore } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addUser } from './access-fixtures.ts';
import { migrateToLatest, migrateUpTo } from '../src/server/db/migrate.ts';
import { newId, newSecret } from '../src/server/core/ids.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../src/server/db/schema.ts';
import type { ConversationT, ViewCountsT } from '../src/shared/api.ts';

type Db = Kysely<Database>;
interface Place {
  accountId: string;
  inboxId: string;
}

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

/** A message written as the stores of that time took one (no column from after 0020). */
async function addMessage(db: Db, place: Place, conversationId: string, m: { from: 'customer' | string; at: string }): Promise<void> {
  const customer = m.from === 'customer';
  await db
    .insertInto('messages')
    .values({
      id: newId(),
      account_id: place.accountId,
      inbox_id: place.inboxId,
      conversation_id: conversationId,
      direction: customer ? 'in' : 'out',
      kind: 'message',
      author_user_id: customer ? null : m.from,
      author_contact_id: null,
      text: customer ? 'Any news?' : 'On its way.',
      html: null,
      subject: null,
      message_id: `${newSecret(8)}@example.test`,
      in_reply_to: null,
      references_json: null,
      from_json: null,
      to_json: '[]',
      cc_json: '[]',
      bcc_json: '[]',
      forwarded_from_json: null,
      quote_start: null,
      email_date: m.at,
      content_hash: null,
      raw_key: null,
      parse_error: null,
      auto_submitted: 0,
      delivery_status: null,
      delivery_error: null,
      activity_json: null,
      created_at: m.at,
    })
    .execute();
  await db.updateTable('conversations').set({ last_activity_at: m.at }).where('id', '=', conversationId).execute();
}

async function addConversation(db: Db, place: Place, number: number, subject: string, at: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('conversations')
    .values({
      id,
      account_id: place.accountId,
      number,
      inbox_id: place.inboxId,
      channel_id: null,
      contact_id: null,
      status: 'open',
      snoozed_until: null,
      assignee_id: null,
      subject,
      preview: '',
      reply_token: newSecret(12),
      last_activity_at: at,
      created_at: at,
      closed_at: null,
    })
    .execute();
  return id;
}

describe.each(STORE_KINDS)('migration 0023: conversations from before read tracking [%s]', (kind) => {
  let store: TestStore | undefined;
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    await store?.dispose();
  });

  it('reads what came before 0021 for every agent, and not what came after', async () => {
    store = await openTestStore(kind, {}, { migrate: false });
    const deps = store.deps;
    const db = deps.store.db;
    await migrateUpTo(db, '0020-imap-connected-at');

    // Before read tracking: an account with two agents and three conversations.
    const acct = await makeAccount(deps);
    const bea = await addUser(deps, acct.account, { role: 'agent', name: 'Bea' });
    const place = { accountId: acct.account.id, inboxId: acct.inbox.id };
    const old = await addConversation(db, place, 1, 'Old question', iso(60_000));
    await addMessage(db, place, old, { from: 'customer', at: iso(60_000) });
    // The owner replied and the customer wrote again: 0021 gives the owner a marker short of it.
    const answered = await addConversation(db, place, 2, 'Answered, then thanked', iso(50_000));
    await addMessage(db, place, answered, { from: 'customer', at: iso(50_000) });
    await addMessage(db, place, answered, { from: acct.owner.id, at: iso(40_000) });
    await addMessage(db, place, answered, { from: 'customer', at: iso(30_000) });
    const revived = await addConversation(db, place, 3, 'Written in again', iso(20_000));
    await addMessage(db, place, revived, { from: 'customer', at: iso(20_000) });
    // 0021's time is kept to the millisecond, as are ids: a message in that very one counts as after.
    await new Promise((resolve) => setTimeout(resolve, 5));

    await migrateUpTo(db, '0021-conversation-reads');
    // Since: the customer writes in an old conversation, and a new conversation arrives. Its arrival
    // stamp is older than 0021 (mail fetched late keeps the server's date): it is still new.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await addMessage(db, place, revived, { from: 'customer', at: iso(0) });
    const fresh = await addConversation(db, place, 4, 'New question', iso(10_000));
    await addMessage(db, place, fresh, { from: 'customer', at: iso(10_000) });

    expect(await migrateToLatest(db)).toContain('0023-reads-before-tracking');
    app = await testApp(deps);
    const cy = await addUser(deps, acct.account, { role: 'agent', name: 'Cy' });
    const agents = { owner: apiClient(app, acct.token), bea: apiClient(app, bea.token), cy: apiClient(app, cy.token) };
    const names = new Map([
      [old, 'old'],
      [answered, 'answered'],
      [revived, 'revived'],
      [fresh, 'fresh'],
    ]);

    for (const [who, api] of Object.entries(agents)) {
      const list = await api.get<{ items: ConversationT[] }>(`/conversations?inboxId=${acct.inbox.id}&status=open`);
      expect(list.status).toBe(200);
      const unread = Object.fromEntries(list.body.items.map((c) => [names.get(c.id), c.unread]));
      expect({ who, unread }).toEqual({ who, unread: { old: false, answered: false, revived: true, fresh: true } });
      const filtered = await api.get<{ items: ConversationT[] }>(`/conversations?inboxId=${acct.inbox.id}&unread=true`);
      expect(filtered.body.items.map((c) => names.get(c.id)).sort()).toEqual(['fresh', 'revived']);
      const counts = await api.get<ViewCountsT>(`/conversations/counts?inboxId=${acct.inbox.id}`);
      expect(counts.body.views.open).toEqual({ total: 4, unread: 2 });
    }

    // An old conversation can still be marked unread (by Bea alone), and read again.
    expect((await agents.bea.post<ConversationT>(`/conversations/${old}/unread`)).body.unread).toBe(true);
    expect((await agents.bea.get<ConversationT>(`/conversations/${old}`)).body.unread).toBe(true);
    expect((await agents.owner.get<ConversationT>(`/conversations/${old}`)).body.unread).toBe(false);
    expect((await agents.bea.post<ConversationT>(`/conversations/${old}/read`)).body.unread).toBe(false);
    // Opening the revived one reads it; the next customer message makes it unread again.
    expect((await agents.cy.post<ConversationT>(`/conversations/${revived}/read`)).body.unread).toBe(false);
    await addMessage(db, place, old, { from: 'customer', at: iso(0) });
    expect((await agents.cy.get<ConversationT>(`/conversations/${old}`)).body.unread).toBe(true);

    // The baselines go with their conversation.
    expect((await agents.owner.delete(`/conversations/${answered}`)).status).toBeLessThan(300);
    expect(await db.selectFrom('conversation_read_baselines').select('conversation_id').where('conversation_id', '=', answered).execute()).toEqual([]);
  });
});
