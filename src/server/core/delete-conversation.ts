// Deletes a conversation for good. Anyone who can act in its inbox may (as in HubSpot, agents
// included); admins who may only view the inbox get 403 view_only, like every other action.
// Its messages, attachment rows, thread keys, followers, notifications, read markers and search rows go by the
// foreign-key cascades and the search triggers (0001, 0002, 0007, 0021); its contact-timeline lines and
// its tickets are removed here, since a line or ticket without a conversation would be shown to
// everyone in the account (both lists treat "no conversation" as account-wide). The stored blob
// files (attachments, larger raw mail) stay until the blob sweeper (`parley blobs sweep`) finds no
// row using them; small raw mail (message_raws, 0022) goes with its message.
// Each inbound email's dedupe key is kept (deleted_messages, 0017), so the same mail fetched
// again (an IMAP re-scan, an SMTP retry) is recognised by receive-email.ts and not re-imported.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { conversationFor } from './inbox-access.ts';
import { chunks } from '../db/chunks.ts';

export async function deleteConversation(ctx: Ctx<UserActor>, input: { conversationId: string }): Promise<void> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'act');
  const keptKeys = await keepDedupeKeys(ctx, conversation);
  await ctx.db.deleteFrom('timeline_entries').where('conversation_id', '=', conversation.id).execute();
  await ctx.db.deleteFrom('tickets').where('conversation_id', '=', conversation.id).execute();
  await ctx.db.deleteFrom('conversations').where('id', '=', conversation.id).execute();

  await ctx.audit({
    accountId: conversation.account_id,
    action: 'conversation.deleted',
    subjectType: 'conversation',
    subjectId: conversation.id,
    changes: { number: conversation.number, subject: conversation.subject, inboxId: conversation.inbox_id, contactId: conversation.contact_id, emailsRemembered: keptKeys },
  });
  await ctx.emit({ type: 'conversation.deleted', accountId: conversation.account_id, inboxId: conversation.inbox_id, data: { conversationId: conversation.id, number: conversation.number } });
}

/**
 * Writes the tombstones of the conversation's inbound email. Keyed by the inbox whose dedupe
 * lookup will see the mail again: the messages' own inbox, and also the inbox of the channel the
 * conversation came through when it was moved since (mail to that channel is looked up there).
 * Returns how many emails were remembered.
 */
async function keepDedupeKeys(ctx: Ctx, conversation: Row<'conversations'>): Promise<number> {
  const emails = await ctx.db
    .selectFrom('messages')
    .select(['inbox_id', 'message_id', 'content_hash'])
    .where('conversation_id', '=', conversation.id)
    .where('message_id', 'is not', null)
    .where('content_hash', 'is not', null)
    .execute();
  if (emails.length === 0) return 0;
  const channel = conversation.channel_id ? await ctx.db.selectFrom('channels').select('inbox_id').where('id', '=', conversation.channel_id).executeTakeFirst() : undefined;
  const deletedAt = ctx.now.toISOString();
  const rows = emails.flatMap((m) =>
    [...new Set([m.inbox_id, channel?.inbox_id ?? m.inbox_id])].map((inboxId) => ({ inbox_id: inboxId, message_id: m.message_id!, content_hash: m.content_hash!, deleted_at: deletedAt })),
  );
  // 4 parameters a row: chunks stay far under SQLite's limit.
  for (const chunk of chunks(rows)) await ctx.db.insertInto('deleted_messages').values(chunk).onConflict((oc) => oc.doNothing()).execute();
  return emails.length;
}
