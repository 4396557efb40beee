// The everyday workflow on a conversation: close and reopen, snooze until a time (a job wakes
// it: jobs/snooze.ts), move to another inbox, follow and unfollow. Each use case checks that the
// actor may act in the inbox (403 view_only for admins who may only look), records an activity
// line and emits an event scoped to the inbox.
import type { Ctx, UserActor } from './context.ts';
import type { Row } from '../db/schema.ts';
import { invalid } from './errors.ts';
import { conversationFor, inboxFor, rightInInbox } from './inbox-access.ts';
import { canAct } from './policies.ts';
import { activityTime, actorName, recordActivity } from './activity.ts';
import { applyAssignment } from './assign-conversation.ts';

export const SNOOZE_WAKE_JOB = 'snooze_wake';
/** Snoozing for longer than this is refused: a year is plenty for "remind me later". */
const MAX_SNOOZE_MS = 366 * 24 * 3600_000;

async function setStatus(
  ctx: Ctx,
  c: Row<'conversations'>,
  set: Pick<Row<'conversations'>, 'status' | 'snoozed_until' | 'closed_at'> & Partial<Pick<Row<'conversations'>, 'last_activity_at'>>,
): Promise<Row<'conversations'>> {
  await ctx.db.updateTable('conversations').set(set).where('id', '=', c.id).execute();
  return { ...c, ...set };
}

export async function closeConversation(ctx: Ctx<UserActor>, input: { conversationId: string }): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'act');
  if (conversation.status === 'closed') return conversation;
  const updated = await setStatus(ctx, conversation, { status: 'closed', snoozed_until: null, closed_at: ctx.now.toISOString() });
  await recordActivity(ctx, updated, { type: 'closed' }, `${actorName(ctx)} closed this conversation`);
  return updated;
}

export async function reopenConversation(ctx: Ctx<UserActor>, input: { conversationId: string }): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'act');
  if (conversation.status === 'open') return conversation;
  const updated = await setStatus(ctx, conversation, { status: 'open', snoozed_until: null, closed_at: null });
  await recordActivity(ctx, updated, { type: 'reopened', from: conversation.status }, `${actorName(ctx)} reopened this conversation`);
  return updated;
}

/**
 * Issue 5: "A new inbound message on a closed conversation reopens it" (a snoozed one too: the
 * customer wrote back). For the inbound pipelines to call inside their transaction.
 */
export async function reopenOnInbound(ctx: Ctx, conversation: Row<'conversations'>): Promise<Row<'conversations'>> {
  if (conversation.status === 'open') return conversation;
  const updated = await setStatus(ctx, conversation, { status: 'open', snoozed_until: null, closed_at: null });
  await recordActivity(ctx, updated, { type: 'reopened', from: conversation.status, reason: 'inbound' }, 'Reopened by a new message from the contact');
  return updated;
}

export async function snoozeConversation(ctx: Ctx<UserActor>, input: { conversationId: string; until: Date }): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'act');
  const ms = input.until.getTime() - ctx.now.getTime();
  if (!Number.isFinite(ms) || ms <= 0) throw invalid('until', 'Snooze until a time in the future');
  if (ms > MAX_SNOOZE_MS) throw invalid('until', 'Snooze for at most a year');
  const until = input.until.toISOString();
  const updated = await setStatus(ctx, conversation, { status: 'snoozed', snoozed_until: until, closed_at: null });
  await recordActivity(ctx, updated, { type: 'snoozed', until }, `${actorName(ctx)} snoozed this conversation until ${activityTime(until)}`);
  // One job per snooze, due when it ends; a later snooze or reopen makes this one a no-op.
  await ctx.enqueue({ type: SNOOZE_WAKE_JOB, accountId: conversation.account_id, payload: { conversationId: conversation.id, until }, runAt: input.until });
  return updated;
}

/** The snooze ended: reopen, unless the conversation was reopened, closed or snoozed again since. */
export async function wakeSnoozedConversation(ctx: Ctx, input: { conversationId: string; until: string }): Promise<Row<'conversations'> | null> {
  const conversation = await ctx.db.selectFrom('conversations').selectAll().where('id', '=', input.conversationId).executeTakeFirst();
  // The job runs only once due (run_at = until), so only "is it still this snooze?" is asked.
  if (!conversation || conversation.status !== 'snoozed' || conversation.snoozed_until !== input.until) return null;
  // Back at the top of the open list (its last activity is now), where whoever snoozed it expects it.
  const woken = await setStatus(ctx, conversation, { status: 'open', snoozed_until: null, closed_at: null, last_activity_at: ctx.now.toISOString() });
  await recordActivity(ctx, woken, { type: 'snooze_ended', until: input.until }, 'The snooze ended: the conversation is open again');
  return woken;
}

/**
 * Moves a conversation to another inbox of the account. The actor must be able to act in both
 * inboxes (access is checked again on the target). An assignee who cannot act in the target is
 * unassigned, so nobody owns a conversation they cannot open. Viewers of the old inbox get a
 * `conversation.moved` event so it leaves their lists; viewers of the new one get the activity.
 */
export async function moveConversation(ctx: Ctx<UserActor>, input: { conversationId: string; inboxId: string }): Promise<Row<'conversations'>> {
  const { conversation } = await conversationFor(ctx.db, ctx.actor.user, input.conversationId, 'act');
  if (conversation.inbox_id === input.inboxId) return conversation;
  const { inbox: target } = await inboxFor(ctx.db, ctx.actor.user, input.inboxId, 'act');
  const from = await ctx.db.selectFrom('inboxes').select(['id', 'name']).where('id', '=', conversation.inbox_id).executeTakeFirstOrThrow();
  await ctx.db.updateTable('conversations').set({ inbox_id: target.id }).where('id', '=', conversation.id).execute();
  await ctx.db.updateTable('messages').set({ inbox_id: target.id }).where('conversation_id', '=', conversation.id).execute();
  let moved: Row<'conversations'> = { ...conversation, inbox_id: target.id };
  await ctx.emit({ type: 'conversation.moved', accountId: conversation.account_id, inboxId: from.id, data: { conversationId: conversation.id, fromInboxId: from.id, toInboxId: target.id } });
  await recordActivity(ctx, moved, { type: 'moved', fromInboxId: from.id, toInboxId: target.id }, `${actorName(ctx)} moved this conversation from ${from.name} to ${target.name}`);
  if (moved.assignee_id) {
    const assignee = await ctx.db.selectFrom('users').selectAll().where('id', '=', moved.assignee_id).executeTakeFirst();
    if (!assignee || !canAct(await rightInInbox(ctx.db, assignee, target.id))) moved = await applyAssignment(ctx, moved, null, 'manual');
  }
  return moved;
}

export async function followConversation(ctx: Ctx<UserActor>, input: { conversationId: string; follow: boolean }): Promise<{ following: boolean }> {
  const { user } = ctx.actor;
  // Like every action, following needs the right to act (view-only admins get 403 view_only).
  const { conversation } = await conversationFor(ctx.db, user, input.conversationId, 'act');
  const existing = await ctx.db.selectFrom('conversation_followers').select('user_id').where('conversation_id', '=', conversation.id).where('user_id', '=', user.id).executeTakeFirst();
  if (input.follow === Boolean(existing)) return { following: input.follow };
  if (input.follow) await ctx.db.insertInto('conversation_followers').values({ conversation_id: conversation.id, user_id: user.id }).execute();
  else await ctx.db.deleteFrom('conversation_followers').where('conversation_id', '=', conversation.id).where('user_id', '=', user.id).execute();
  await recordActivity(ctx, conversation, { type: input.follow ? 'followed' : 'unfollowed', userId: user.id }, `${actorName(ctx)} ${input.follow ? 'followed' : 'unfollowed'} this conversation`);
  return { following: input.follow };
}
