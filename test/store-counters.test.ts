// Per-account conversation numbers come from the account's counter in the creating transaction:
// 20 concurrent creations get 1..20 with no duplicate and no gap, on SQLite and PostgreSQL, and
// another account's numbering is independent.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { nextConversationNumber } from '../src/server/core/conversation-numbers.ts';
import type { Deps } from '../src/server/deps.ts';

async function createConversation(deps: Deps, accountId: string, inboxId: string): Promise<number> {
  return deps.run({ kind: 'system', accountId, reason: 'test' }, async (ctx) => {
    const number = await nextConversationNumber(ctx, accountId);
    const now = ctx.now.toISOString();
    await ctx.db
      .insertInto('conversations')
      .values({ id: ctx.newId(), account_id: accountId, number, inbox_id: inboxId, channel_id: null, contact_id: null, status: 'open', snoozed_until: null, assignee_id: null, subject: 'Hi', preview: '', reply_token: ctx.newId(), last_activity_at: now, created_at: now, closed_at: null })
      .execute();
    return number;
  });
}

describeEachStore('conversation numbers', (store) => {
  it('hands out 1..20 to 20 concurrent creations, no duplicates, per account', async () => {
    const deps = store().deps;
    const a = await makeAccount(deps);
    const b = await makeAccount(deps);
    const [numbersA, numbersB] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => createConversation(deps, a.account.id, a.inbox.id))),
      Promise.all(Array.from({ length: 20 }, () => createConversation(deps, b.account.id, b.inbox.id))),
    ]);
    const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect([...numbersA].sort((x, y) => x - y)).toEqual(oneToTwenty);
    expect([...numbersB].sort((x, y) => x - y)).toEqual(oneToTwenty);
    const stored = await deps.store.db.selectFrom('conversations').select('number').where('account_id', '=', a.account.id).orderBy('number').execute();
    expect(stored.map((r) => r.number)).toEqual(oneToTwenty);
    const counter = await deps.store.db.selectFrom('accounts').select('conversation_counter').where('id', '=', a.account.id).executeTakeFirstOrThrow();
    expect(Number(counter.conversation_counter)).toBe(20);
  });

  it('does not spend a number when the creating transaction rolls back', async () => {
    const deps = store().deps;
    const a = await makeAccount(deps);
    expect(await createConversation(deps, a.account.id, a.inbox.id)).toBe(1);
    await expect(
      deps.run({ kind: 'system', accountId: a.account.id, reason: 'test' }, async (ctx) => {
        await nextConversationNumber(ctx, a.account.id);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await createConversation(deps, a.account.id, a.inbox.id)).toBe(2);
  });
});
