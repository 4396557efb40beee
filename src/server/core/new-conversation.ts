// The seam every new inbound conversation passes through after it is created and before the
// transaction commits: automatic assignment (routing.ts, facts from assignment-facts.ts), then
// the ticket when the inbox treats incoming conversations as tickets (tickets.ts), so the
// ticket owner can default to the assignee just chosen. Called by every channel's receive path
// (email, IMAP, chat, API) so the rules apply alike.
import type { Ctx } from './context.ts';
import type { Row } from '../db/schema.ts';
import { decideAutomaticAssignment } from './assignment-facts.ts';
import { applyAssignment } from './assign-conversation.ts';
import { enqueueNotificationEmail } from './notify.ts';
import { createTicketForNewConversation } from './tickets.ts';

export async function afterConversationCreated(ctx: Ctx, input: { conversation: Row<'conversations'>; contact: Row<'contacts'> | null }): Promise<Row<'conversations'>> {
  let conversation = input.conversation;
  const inbox = await ctx.db.selectFrom('inboxes').select(['id', 'account_id', 'access']).where('id', '=', conversation.inbox_id).executeTakeFirstOrThrow();
  const decision = await decideAutomaticAssignment(ctx.db, inbox, input.contact?.owner_id ?? null);
  if (decision.assigneeId) {
    const assignee = await ctx.db.selectFrom('users').selectAll().where('id', '=', decision.assigneeId).executeTakeFirstOrThrow();
    conversation = await applyAssignment(ctx, conversation, assignee, 'auto');
  }
  if (decision.emailOwnerId) {
    // Seed: "If the owner is offline, the submission will be emailed to the visitor's owner."
    await enqueueNotificationEmail(
      ctx,
      { userId: decision.emailOwnerId, kind: 'contact_owner_away', conversationId: conversation.id, messageId: null, actorUserId: null },
      conversation.account_id,
    );
  }
  await createTicketForNewConversation(ctx, conversation, decision.settings.tickets);
  return conversation;
}
