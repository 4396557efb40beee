// Contacts found by email address (case-insensitively: addresses are stored lower-case) and
// the contact timeline (the CRM log). Inbound email, forwards and replies all come through
// here so a person is one contact however they write in.
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';

export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** The account's contact for this address, created when new (with the name the mail gave). */
export async function findOrCreateContactByEmail(ctx: Ctx, input: { accountId: string; email: string; name: string }): Promise<Row<'contacts'>> {
  const email = normalizeEmail(input.email);
  const existing = await ctx.db.selectFrom('contacts').selectAll().where('account_id', '=', input.accountId).where('email', '=', email).executeTakeFirst();
  if (existing) {
    if (!existing.name && input.name.trim()) {
      await ctx.db.updateTable('contacts').set({ name: input.name.trim().slice(0, 200), updated_at: ctx.now.toISOString() }).where('id', '=', existing.id).execute();
      // Conversation lists embed the contact: every change they show must bump the account's event_seq.
      await ctx.emit({ type: 'contact.updated', accountId: input.accountId, inboxId: null, data: { contactId: existing.id } });
      return { ...existing, name: input.name.trim().slice(0, 200) };
    }
    return existing;
  }
  return insertContact(ctx, { accountId: input.accountId, email, name: input.name, ownerId: null });
}

/** A new contact with its email identity, emitted; `email` already normalized. */
export async function insertContact(ctx: Ctx, input: { accountId: string; email: string; name: string; ownerId: string | null }): Promise<Row<'contacts'>> {
  const now = ctx.now.toISOString();
  const contact: Row<'contacts'> = {
    id: ctx.newId(),
    account_id: input.accountId,
    email: input.email,
    name: input.name.trim().slice(0, 200),
    owner_id: input.ownerId,
    created_at: now,
    updated_at: now,
  };
  await ctx.db.insertInto('contacts').values(contact).execute();
  await ctx.db
    .insertInto('contact_identities')
    .values({ id: ctx.newId(), account_id: input.accountId, contact_id: contact.id, channel_type: 'email', identifier: input.email })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await ctx.emit({ type: 'contact.created', accountId: input.accountId, inboxId: null, data: { contactId: contact.id } });
  return contact;
}

export async function logTimeline(
  ctx: Ctx,
  entry: { accountId: string; contactId: string; kind: string; conversationId: string | null; messageId: string | null; summary: string; /** Default: now. */ at?: string },
): Promise<void> {
  await ctx.db
    .insertInto('timeline_entries')
    .values({
      id: ctx.newId(),
      account_id: entry.accountId,
      contact_id: entry.contactId,
      kind: entry.kind,
      conversation_id: entry.conversationId,
      message_id: entry.messageId,
      summary: entry.summary.slice(0, 500),
      created_at: entry.at ?? ctx.now.toISOString(),
    })
    .execute();
}
