// Contacts edited by hand (the CRM side): any active user of the account adds a contact or
// changes its name and owner. The owner is what "Assign to: Contact owner" assigns to, so it must
// be an active user of the same account. Each change is logged on the contact's timeline and
// emitted, which also invalidates conversation lists that embed the contact.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, invalid, notFound } from './errors.ts';
import { insertContact, logTimeline, normalizeEmail } from './contacts.ts';
import { userName } from './activity.ts';

export interface ContactEdit {
  name?: string | undefined;
  /** null removes the owner. */
  ownerId?: string | null | undefined;
}

async function checkOwner(ctx: Ctx<UserActor>, ownerId: string): Promise<Row<'users'>> {
  const owner = await ctx.db.selectFrom('users').selectAll().where('id', '=', ownerId).where('account_id', '=', ctx.actor.account.id).executeTakeFirst();
  if (!owner) throw invalid('ownerId', 'The contact owner must be a user of this account');
  if (owner.deactivated_at) throw invalid('ownerId', `${owner.email} is deactivated and cannot own contacts`);
  return owner;
}

export async function createContact(ctx: Ctx<UserActor>, input: { email: string; name?: string | undefined; ownerId?: string | null | undefined }): Promise<Row<'contacts'>> {
  const accountId = ctx.actor.account.id;
  const email = normalizeEmail(input.email);
  const taken = await ctx.db.selectFrom('contacts').select('id').where('account_id', '=', accountId).where('email', '=', email).executeTakeFirst();
  if (taken) throw new DomainError('conflict', `A contact with the address ${email} already exists`, 'email');
  const owner = input.ownerId ? await checkOwner(ctx, input.ownerId) : null;
  const contact = await insertContact(ctx, { accountId, email, name: input.name ?? '', ownerId: owner?.id ?? null });
  await logTimeline(ctx, { accountId, contactId: contact.id, kind: 'contact_created', conversationId: null, messageId: null, summary: `Contact created by ${userName(ctx.actor.user)}` });
  return contact;
}

export async function updateContact(ctx: Ctx<UserActor>, input: { contactId: string; edit: ContactEdit }): Promise<Row<'contacts'>> {
  const accountId = ctx.actor.account.id;
  const contact = await ctx.db.selectFrom('contacts').selectAll().where('id', '=', input.contactId).where('account_id', '=', accountId).executeTakeFirst();
  if (!contact) throw notFound('Contact');
  const set: Partial<Row<'contacts'>> = {};
  const said: string[] = [];
  const name = input.edit.name?.trim();
  if (name !== undefined && name !== contact.name) {
    set.name = name;
    said.push(name ? `name changed to "${name}"` : 'name removed');
  }
  if (input.edit.ownerId !== undefined && input.edit.ownerId !== contact.owner_id) {
    const owner = input.edit.ownerId === null ? null : await checkOwner(ctx, input.edit.ownerId);
    set.owner_id = owner?.id ?? null;
    said.push(owner ? `owner set to ${userName(owner)}` : 'owner removed');
  }
  if (said.length === 0) return contact;
  set.updated_at = ctx.now.toISOString();
  await ctx.db.updateTable('contacts').set(set).where('id', '=', contact.id).execute();
  const summary = `${userName(ctx.actor.user)}: ${said.join(', ')}`;
  await logTimeline(ctx, { accountId, contactId: contact.id, kind: 'contact_updated', conversationId: null, messageId: null, summary });
  await ctx.emit({ type: 'contact.updated', accountId, inboxId: null, data: { contactId: contact.id } });
  return { ...contact, ...set };
}
