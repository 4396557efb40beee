// Display numbers for conversations (#1, #2, …) per account, taken from the account's counter in
// the same transaction that inserts the conversation. Never max(number)+1: two concurrent
// creations would read the same max and one would fail on the unique key (Chatwoot's bug).
import type { Ctx } from './context.ts';

/** Increments the account's conversation counter and returns the new value. */
export async function nextConversationNumber(ctx: Ctx, accountId: string): Promise<number> {
  // UPDATE … RETURNING takes the row lock on PostgreSQL (concurrent callers wait for our commit)
  // and runs under SQLite's single writer, so each caller gets a distinct number.
  const row = await ctx.db
    .updateTable('accounts')
    .set((eb) => ({ conversation_counter: eb('conversation_counter', '+', 1) }))
    .where('id', '=', accountId)
    .returning('conversation_counter')
    .executeTakeFirstOrThrow();
  return Number(row.conversation_counter);
}

/** The same for tickets (#1, #2, … per account, separate from conversations). */
export async function nextTicketNumber(ctx: Ctx, accountId: string): Promise<number> {
  const row = await ctx.db
    .updateTable('accounts')
    .set((eb) => ({ ticket_counter: eb('ticket_counter', '+', 1) }))
    .where('id', '=', accountId)
    .returning('ticket_counter')
    .executeTakeFirstOrThrow();
  return Number(row.ticket_counter);
}
