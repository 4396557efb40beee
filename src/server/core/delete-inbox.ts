// Deletes a non-default inbox (admins). Its conversations are not lost: they move, with their
// messages, notes, activity and tickets, to the account's default inbox, which every account
// has exactly one of (the partial unique index inboxes_one_default). Email conversations are
// re-pointed at the default inbox's fallback email channel so they can still be answered; the
// deleted inbox's channels, addresses and settings go with it (mail to its addresses is then
// refused at RCPT as an unknown recipient).
import type { Ctx, UserActor } from './context.ts';
import { DomainError } from './errors.ts';
import { inboxForSettings } from './inbox-access.ts';
import { chunks } from '../db/chunks.ts';

export interface DeletedInbox {
  inboxId: string;
  movedTo: string;
  movedConversations: number;
}

export async function deleteInbox(ctx: Ctx<UserActor>, input: { inboxId: string }): Promise<DeletedInbox> {
  const { user, account } = ctx.actor;
  const inbox = await inboxForSettings(ctx.db, user, input.inboxId, 'delete inboxes');
  if (inbox.is_default === 1) {
    throw new DomainError('conflict', 'The default inbox cannot be deleted: every account keeps exactly one default inbox');
  }
  const target = await ctx.db.selectFrom('inboxes').select('id').where('account_id', '=', account.id).where('is_default', '=', 1).executeTakeFirstOrThrow();
  const fallback = await ctx.db
    .selectFrom('channels')
    .innerJoin('email_channel_settings', 'email_channel_settings.channel_id', 'channels.id')
    .select('channels.id')
    .where('channels.inbox_id', '=', target.id)
    .where('email_channel_settings.is_fallback', '=', 1)
    .executeTakeFirst();

  const moving = await ctx.db
    .selectFrom('conversations')
    .leftJoin('channels', 'channels.id', 'conversations.channel_id')
    .select(['conversations.id', 'channels.type'])
    .where('conversations.inbox_id', '=', inbox.id)
    .execute();
  const emailIds = moving.filter((c) => c.type === 'email').map((c) => c.id);
  const otherIds = moving.filter((c) => c.type !== 'email').map((c) => c.id);
  // Chunked so a large inbox stays under SQLite's bound-parameter limit.
  for (const chunk of chunks(emailIds)) {
    await ctx.db.updateTable('conversations').set({ inbox_id: target.id, channel_id: fallback?.id ?? null }).where('id', 'in', chunk).execute();
  }
  for (const chunk of chunks(otherIds)) {
    await ctx.db.updateTable('conversations').set({ inbox_id: target.id, channel_id: null }).where('id', 'in', chunk).execute();
  }
  // Threading and dedupe look messages up per inbox, so the messages move too. The same mail may
  // already sit in the default inbox (sent to both inboxes' addresses): the dedupe index
  // (inbox_id, message_id, content_hash) would then collide, so the moved copy loses its
  // content hash (NULLs never collide in a unique index on SQLite or PostgreSQL) and keeps its
  // Message-ID for threading.
  await ctx.db
    .updateTable('messages')
    .set({ content_hash: null })
    .where('inbox_id', '=', inbox.id)
    .where('message_id', 'is not', null)
    .where('content_hash', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('messages as other')
          .select('other.id')
          .where('other.inbox_id', '=', target.id)
          .whereRef('other.message_id', '=', 'messages.message_id')
          .whereRef('other.content_hash', '=', 'messages.content_hash'),
      ),
    )
    .execute();
  await ctx.db.updateTable('messages').set({ inbox_id: target.id }).where('inbox_id', '=', inbox.id).execute();
  await ctx.db.deleteFrom('inboxes').where('id', '=', inbox.id).execute();

  await ctx.audit({
    accountId: account.id,
    action: 'inbox.deleted',
    subjectType: 'inbox',
    subjectId: inbox.id,
    changes: { name: { from: inbox.name, to: null }, access: { from: inbox.access, to: null }, movedConversations: { from: 0, to: moving.length }, movedTo: { from: null, to: target.id } },
  });
  await ctx.emit({ type: 'inbox.deleted', accountId: account.id, inboxId: null, data: { inboxId: inbox.id, movedTo: target.id, movedConversations: moving.length } });
  return { inboxId: inbox.id, movedTo: target.id, movedConversations: moving.length };
}
