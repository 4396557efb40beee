// Assigning, reassigning and unassigning a conversation, by hand (an agent) or automatically
// (routing at creation). One path for both: the assignee changes, the assignee's last
// assignment time is kept for routing's "idle longest" tie-break, the change is an activity
// line and an event, and the new assignee is notified per their preferences.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { DomainError, invalid } from './errors.ts';
import { assignRefusal, manualAssignRefusal } from './policies.ts';
import { conversationFor, rightInInbox } from './inbox-access.ts';
import { actorName, actorUserId, recordActivity, userName } from './activity.ts';
import { notifyUser } from './notify.ts';

/** Sets the assignee (no access checks: callers have done them). Returns the updated row. */
export async function applyAssignment(ctx: Ctx, conversation: Row<'conversations'>, assignee: Row<'users'> | null, how: 'auto' | 'manual'): Promise<Row<'conversations'>> {
  const assigneeId = assignee?.id ?? null;
  if (conversation.assignee_id === assigneeId) return conversation;
  await ctx.db.updateTable('conversations').set({ assignee_id: assigneeId }).where('id', '=', conversation.id).execute();
  const updated = { ...conversation, assignee_id: assigneeId };
  if (assignee) {
    await ctx.db.updateTable('user_assignment_rank').set({ last_assigned_at: ctx.now.toISOString() }).where('user_id', '=', assignee.id).execute();
    const text =
      how === 'auto'
        ? `Automatically assigned to ${userName(assignee)}`
        : actorUserId(ctx) === assignee.id
          ? `${actorName(ctx)} took this conversation`
          : `${actorName(ctx)} assigned this conversation to ${userName(assignee)}`;
    await recordActivity(ctx, updated, { type: 'assigned', assigneeId: assignee.id, previousAssigneeId: conversation.assignee_id, automatic: how === 'auto' }, text);
    await notifyUser(ctx, { userId: assignee.id, kind: 'assigned', conversation: updated });
  } else {
    await recordActivity(ctx, updated, { type: 'unassigned', previousAssigneeId: conversation.assignee_id }, `${actorName(ctx)} unassigned this conversation`);
  }
  return updated;
}

/**
 * POST /conversations/{id}/assign: assign to a user (anyone active who can act in the inbox,
 * free seats included: only automatic assignment is limited to paid seats), or unassign with
 * null. The actor must be able to act in the inbox; a free-seat actor may only assign
 * conversations that are unassigned (seed).
 */
export async function assignConversation(ctx: Ctx<UserActor>, input: { conversationId: string; assigneeId: string | null }): Promise<Row<'conversations'>> {
  const { user } = ctx.actor;
  const { conversation } = await conversationFor(ctx.db, user, input.conversationId, 'act');
  const refusal = manualAssignRefusal(user, { assigneeId: conversation.assignee_id });
  if (refusal && conversation.assignee_id !== input.assigneeId) throw new DomainError('forbidden', refusal.message);
  if (input.assigneeId === null) return applyAssignment(ctx, conversation, null, 'manual');
  const assignee = await ctx.db.selectFrom('users').selectAll().where('id', '=', input.assigneeId).where('account_id', '=', user.account_id).executeTakeFirst();
  if (!assignee) throw invalid('assigneeId', 'No such user in this account');
  const why = assignRefusal(
    { id: assignee.id, seat: assignee.seat, right: await rightInInbox(ctx.db, assignee, conversation.inbox_id), deactivated: assignee.deactivated_at !== null },
    'manual',
  );
  if (why) throw invalid('assigneeId', `${userName(assignee)}: ${why.message}`);
  return applyAssignment(ctx, conversation, assignee, 'manual');
}
